/**
 * Everything the page shows, as small functions of data: the chosen file, the two progress
 * meters, the job's state badge, the result and the errors. No network, no decisions.
 */
import { formatBytes, formatRate, percent, describeTypes } from './format.js';
import { STATE_LABELS } from './messages.js';

const $ = (id) => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element;
};

export const el = {
  form: $('send-form'),
  fields: $('fields'),
  keyField: $('key-field'),
  apiKey: $('api-key'),
  dropZone: $('drop-zone'),
  dropHint: $('drop-hint'),
  fileInput: $('file'),
  chosen: $('chosen'),
  chosenName: $('chosen-name'),
  chosenMeta: $('chosen-meta'),
  chosenClear: $('chosen-clear'),
  to: $('to'),
  text: $('text'),
  language: $('language'),
  formError: $('form-error'),
  send: $('send'),
  pause: $('pause'),
  cancel: $('cancel'),
  progress: $('progress'),
  state: $('state'),
  jobLine: $('job-line'),
  intakeBar: $('intake-bar'),
  intakeNumbers: $('intake-numbers'),
  relayBar: $('relay-bar'),
  relayNumbers: $('relay-numbers'),
  announcer: $('announcer'),
  resumedNote: $('resumed-note'),
  jobError: $('job-error'),
  retry: $('retry'),
  result: $('result'),
  messageId: $('message-id'),
  fileId: $('file-id'),
  sha256: $('sha256'),
  doneActions: $('done-actions'),
  another: $('another'),
  serviceProblem: $('service-problem'),
  remembered: $('remembered'),
  rememberedText: $('remembered-text'),
  rememberedDiscard: $('remembered-discard'),
  checksumMode: $('checksum-mode'),
};

export function showLimits(config, keyRequired) {
  if (!config) {
    el.dropHint.textContent = keyRequired ? 'The limits show once the API key is accepted.' : 'The service’s limits could not be loaded.';
    el.dropHint.title = '';
    return;
  }
  const size = config?.maxSize ? `Up to ${formatBytes(config.maxSize)}` : 'Any size';
  el.dropHint.textContent = `${size} · ${describeTypes(config?.allowedTypes)}`;
  el.dropHint.title = Array.isArray(config?.allowedTypes) ? config.allowedTypes.join('\n') : '';
}

export function showChosenFile(file) {
  el.chosen.hidden = !file;
  el.dropZone.hidden = Boolean(file);
  if (!file) return;
  el.chosenName.textContent = file.name;
  el.chosenMeta.textContent = `${formatBytes(file.size)}${file.type ? ` · ${file.type}` : ''}`;
}

export function showMessage(element, text) {
  element.textContent = text ?? '';
  element.hidden = !text;
}

/** Buttons for each phase: idle, uploading, paused (also after a network error), watching, done. */
export function showPhase(phase) {
  const busy = phase === 'uploading';
  el.send.hidden = busy || phase === 'watching' || phase === 'done';
  el.send.textContent = phase === 'paused' ? 'Resume' : 'Send file';
  el.pause.hidden = !busy;
  el.cancel.hidden = !(busy || phase === 'paused');
  // Once a file is on its way, its recipients and text are fixed; "Send another file" unlocks them.
  el.fields.disabled = phase !== 'idle';
  el.dropZone.setAttribute('aria-disabled', String(phase !== 'idle'));
  el.dropZone.tabIndex = phase === 'idle' ? 0 : -1;
  el.form.setAttribute('aria-busy', String(busy));
  el.doneActions.hidden = phase !== 'done';
  if (phase !== 'idle') el.progress.hidden = false;
}

export function showState(state) {
  el.state.dataset.state = state;
  el.progress.dataset.state = state;
  el.state.textContent = STATE_LABELS[state] ?? state;
}

export function showJobId(id, fileName) {
  el.jobLine.textContent = `${fileName ? `${fileName} · ` : ''}job ${id}`;
  el.progress.dataset.jobId = id;
}

/** One meter: bar value, "12 MiB of 64 MiB · 30 MiB/s" and the exact bytes as data attributes. */
function showMeter(bar, numbers, done, total, bytesPerSecond) {
  bar.value = percent(done, total);
  bar.dataset.bytes = String(done);
  bar.dataset.total = String(total);
  const rate = formatRate(bytesPerSecond);
  numbers.textContent = total > 0 ? `${formatBytes(done)} of ${formatBytes(total)}${rate ? ` · ${rate}` : ''}` : '';
}

export function showIntake(done, total, bytesPerSecond) {
  showMeter(el.intakeBar, el.intakeNumbers, done, total, bytesPerSecond);
}

export function showRelay(done, total) {
  showMeter(el.relayBar, el.relayNumbers, done, total);
}

export function showResumed(offset, total) {
  el.resumedNote.hidden = false;
  el.resumedNote.dataset.resumedFrom = String(offset);
  el.resumedNote.textContent =
    offset > 0
      ? `Continued an earlier upload: ${formatBytes(offset)} of ${formatBytes(total)} had already been received.`
      : 'Continued an earlier upload from the start (nothing had been received yet).';
}

export function showResult(job) {
  el.result.hidden = false;
  el.messageId.textContent = job.messageId ?? '—';
  el.fileId.textContent = job.fileId ?? '—';
  el.sha256.textContent = job.sha256 ?? '—';
}

/** Says progress out loud for screen readers, at most once per 10 % step and on state changes. */
export function createAnnouncer() {
  let last = '';
  return (text) => {
    if (text === last) return;
    last = text;
    el.announcer.textContent = text;
  };
}

export function resetProgress() {
  el.progress.hidden = true;
  delete el.progress.dataset.jobId;
  showState('idle');
  showIntake(0, 0);
  showRelay(0, 0);
  el.jobLine.textContent = '';
  el.resumedNote.hidden = true;
  delete el.resumedNote.dataset.resumedFrom;
  showMessage(el.jobError, '');
  showRetry(false);
  el.result.hidden = true;
}

/** After a failed delivery: "Retry delivery" becomes the main action. */
export function showRetry(show) {
  el.retry.hidden = !show;
  el.another.classList.toggle('button-primary', !show);
}
