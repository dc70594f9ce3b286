/**
 * The form fields that depend on where the service relays (GET /api/config `destination`):
 * recipients and language for the Files API (genesys-files); a conversation id (and optionally
 * a communication id) for a conversation; nothing more for Web Messaging, where each upload is a
 * new guest conversation. And the result rows that name the destination and its ids.
 */
const $ = (id) => document.getElementById(id);

/** Which fields show for `destination`; the hidden ones are neither required nor sent. */
export function showDestinationFields(destination) {
  const files = destination === 'genesys-files' || destination === undefined;
  for (const id of ['to', 'language']) {
    $(id).closest('.field').hidden = !files;
    $(id).required = files && id === 'to';
  }
  const conversation = destination === 'conversation';
  $('conversation-field').hidden = !conversation;
  $('conversation-id').required = conversation;
}

/** The destination's Upload-Metadata keys, from the form. */
export function destinationMetadata(destination, recipients) {
  if (destination === 'web-messaging') return {};
  if (destination === 'conversation') {
    const communication = $('communication-id').value.trim();
    return { conversationid: $('conversation-id').value.trim(), ...(communication ? { communicationid: communication } : {}) };
  }
  return { to: recipients.join(','), language: $('language').value.trim() };
}

/** Genesys accepts 1 to 10 recipients per message. */
const MAX_RECIPIENTS = 10;

/** The first problem with the destination's fields, as a sentence and the field to focus; or null. */
export function destinationProblem(destination, recipients) {
  if (destination === 'web-messaging') return null;
  if (destination === 'conversation') return $('conversation-id').value.trim() === '' ? ['Enter the conversation id.', $('conversation-id')] : null;
  const language = $('language');
  if (recipients.length === 0) return ['Enter at least one recipient.', $('to')];
  if (recipients.length > MAX_RECIPIENTS) return [`Enter at most ${MAX_RECIPIENTS} recipients.`, $('to')];
  if (!language.checkValidity() || language.value.trim() === '') return ['Enter a language tag such as en-US.', language];
  return null;
}

const LABELS = { 'genesys-files': 'Files API', 'web-messaging': 'Web Messaging', conversation: 'Conversation' };
const DETAIL_LABELS = {
  guestId: 'Guest',
  conversationId: 'Conversation id',
  communicationId: 'Communication id',
  attachmentId: 'Attachment id',
  mediaId: 'Media id',
  delivery: 'Delivered as',
  linkExpiresAt: 'Link expires',
};

/** Destination and its ids, appended to the result list (never a secret: the service shows none). */
export function showDestinationResult(job) {
  const list = $('result');
  for (const old of list.querySelectorAll('[data-destination-row]')) old.remove();
  const rows = [['Destination', LABELS[job.destination] ?? job.destination ?? '—']];
  for (const [key, label] of Object.entries(DETAIL_LABELS)) {
    const value = job.details?.[key];
    if (value) rows.push([label, key === 'guestId' ? `${value} (${job.details.guest === 'existing' ? 'existing guest' : 'new guest'})` : value]);
  }
  for (const [label, value] of rows) {
    const row = document.createElement('div');
    row.dataset.destinationRow = '';
    const dt = document.createElement('dt');
    const dd = document.createElement('dd');
    const code = document.createElement('code');
    dt.textContent = label;
    code.textContent = value;
    dd.append(code);
    row.append(dt, dd);
    list.append(row);
  }
}
