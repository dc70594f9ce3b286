/**
 * The page's controller: choose a file, send it through the resumable intake, then follow the
 * job's delivery until it has a message id (or a failure to explain). Phases:
 * idle → uploading ⇄ paused → watching → done.
 */
import { createApi } from './api.js';
import { checksumsSupported } from './checksum-stack.js';
import { formatBytes, percent, typeAllowed } from './format.js';
import { discardRemembered, rememberedUploads, startIntake } from './intake.js';
import { showRemembered } from './remembered.js';
import { TERMINAL_STATES, watchJob } from './job-watch.js';
import { setUpFilePicker } from './file-picker.js';
import { destinationMetadata, destinationProblem, showDestinationFields, showDestinationResult } from './destination-form.js';
import { explainApiError, explainIntakeError, explainJobFailure, statusOf, STATE_LABELS } from './messages.js';
import { prefs } from './prefs.js';
import * as view from './view.js';

const { el } = view;
const api = createApi(() => prefs.apiKey());
const announce = view.createAnnouncer();
/** Intake errors after which pressing Resume can help (the upload is still on the service). */
const RESUMABLE = new Set([0, 408, 423, 429, 460, 500, 502, 503, 504]);

const page = {
  config: { maxSize: undefined, allowedTypes: [], apiKeyRequired: false },
  checksums: false,
  file: null,
  intake: null,
  configLoaded: false,
  /** Why an upload is paused: 'user' (the Pause button) or 'network' (resume when back online). */
  pausedBy: null,
  watch: null,
  jobId: null,
};

// ---- choosing a file -------------------------------------------------------------------------

function choose(file) {
  page.file = file ?? null;
  view.showChosenFile(page.file);
  el.text.placeholder = `Optional. Without it: “File ${page.file?.name ?? 'name'} attached.”`;
  view.showMessage(el.formError, '');
  if (!page.file) el.fileInput.value = '';
}

setUpFilePicker(choose);

// ---- the form --------------------------------------------------------------------------------

for (const input of [el.to, el.text, el.language]) {
  input.addEventListener('input', () => prefs.setDraft({ to: el.to.value, text: el.text.value, language: el.language.value }));
}
el.apiKey.addEventListener('change', () => prefs.setApiKey(el.apiKey.value));

/** The first problem with the form, as a sentence, and the field to focus; or null. */
function formProblem() {
  if (page.config.apiKeyRequired && el.apiKey.value.trim() === '') return ['Enter the API key.', el.apiKey];
  if (!page.file) return ['Choose a file to send.', el.dropZone];
  const fields = destinationProblem(page.config.destination, recipients());
  if (fields) return fields;
  const { maxSize, allowedTypes } = page.config;
  if (maxSize && page.file.size > maxSize) {
    return [`The file is ${formatBytes(page.file.size)}, larger than the ${formatBytes(maxSize)} limit.`, el.dropZone];
  }
  if (!typeAllowed(page.file.type, allowedTypes)) {
    return [`Files of type ${page.file.type} are not accepted here.`, el.dropZone];
  }
  return null;
}

function recipients() {
  return el.to.value.split(/[,;\n]/).map((part) => part.trim()).filter(Boolean);
}

el.form.addEventListener('submit', async (event) => {
  event.preventDefault();
  prefs.setApiKey(el.apiKey.value);
  // A protected service shows its limits only to a valid key: learn them before checking the file.
  if (!page.configLoaded && el.apiKey.value.trim() !== '' && !(await loadConfig())) return;
  const problem = formProblem();
  if (problem) {
    view.showMessage(el.formError, problem[0]);
    problem[1].focus();
    return;
  }
  void sendFile();
});

async function sendFile() {
  const file = page.file;
  view.showMessage(el.formError, '');
  view.showMessage(el.jobError, '');
  page.pausedBy = null;
  view.showPhase('uploading');
  view.showState('receiving');
  el.remembered.hidden = true;
  const metadata = {
    filename: file.name,
    ...destinationMetadata(page.config.destination, recipients()),
    ...(el.text.value.trim() ? { text: el.text.value } : {}),
    ...(file.type ? { filetype: file.type } : {}),
  };
  let startedAt = 0;
  let startedFrom = 0;
  try {
    page.intake = await startIntake({
      file,
      metadata,
      headers: api.headers(),
      checksums: page.checksums,
      onJob({ jobId }) {
        page.jobId = jobId;
        view.showJobId(jobId, file.name);
      },
      onResumed(offset) {
        view.showResumed(offset, file.size);
      },
      onRetry(attempt, of) {
        view.showMessage(el.jobError, `The connection was interrupted; trying again (${attempt} of ${of})…`);
      },
      onProgress(sent, total) {
        if (!el.jobError.hidden) view.showMessage(el.jobError, '');
        if (startedAt === 0) {
          startedAt = performance.now();
          startedFrom = sent;
        }
        const seconds = (performance.now() - startedAt) / 1000;
        view.showIntake(sent, total, seconds > 0.5 ? (sent - startedFrom) / seconds : undefined);
        announce(`Upload ${Math.floor(percent(sent, total) / 10) * 10} percent done`);
      },
    });
    const { jobId } = await page.intake.done;
    page.intake = null;
    void showRemembered(api.headers());
    view.showIntake(file.size, file.size);
    prefs.setActiveJob({ id: jobId, fileName: file.name });
    follow(jobId, file.name);
  } catch (error) {
    page.intake = null;
    onIntakeError(error, file);
    if (statusOf(error) !== 0) void showRemembered(api.headers());
  }
}

function onIntakeError(error, file) {
  const status = statusOf(error);
  view.showMessage(el.jobError, '');
  const resumable = RESUMABLE.has(status) || status >= 500;
  view.showMessage(el.formError, explainIntakeError(error, page.config, file));
  if (resumable) page.pausedBy = status === 0 ? 'network' : 'user';
  view.showPhase(resumable ? 'paused' : 'idle');
  view.showState(resumable ? 'paused' : 'failed');
  announce(el.formError.textContent);
  if (status === 401 || status === 403) showKeyField(true, true);
}

// After a dropped connection the upload waits in "paused": continue by itself once back online.
window.addEventListener('online', () => {
  if (page.pausedBy === 'network' && !page.intake && page.file) el.form.requestSubmit();
});

el.pause.addEventListener('click', async () => {
  const intake = page.intake;
  if (!intake) return;
  page.intake = null;
  await intake.upload.abort(false);
  page.pausedBy = 'user';
  view.showPhase('paused');
  view.showState('paused');
  announce('Upload paused');
  el.send.focus();
});

el.cancel.addEventListener('click', async () => {
  const intake = page.intake;
  page.intake = null;
  if (intake) {
    await intake.upload.abort(true).catch(() => undefined);
  } else {
    // Paused: forget the remembered upload of this file, and let the service drop its part.
    const entries = await rememberedUploads();
    const mine = entries.filter((entry) => page.jobId && entry.uploadUrl.endsWith(`/${page.jobId}`));
    await Promise.all(mine.map((entry) => discardRemembered(entry, api.headers())));
  }
  resetToIdle();
  announce('Upload cancelled');
});

// ---- following the job's delivery ----------------------------------------------------------

function follow(jobId, fileName) {
  page.jobId = jobId;
  page.watch?.stop();
  view.showJobId(jobId, fileName);
  view.showPhase('watching');
  page.watch = watchJob(jobId, {
    api,
    getKey: () => prefs.apiKey(),
    onUpdate: onJobUpdate,
    onProblem: (error) => view.showMessage(el.jobError, explainApiError(error)),
  });
}

function onJobUpdate(job) {
  view.showMessage(el.jobError, '');
  view.showState(job.state);
  if (job.intake) view.showIntake(job.intake.bytes ?? 0, job.intake.total ?? 0);
  if (job.relay) view.showRelay(job.relay.bytes ?? 0, job.relay.total ?? 0);
  if (!TERMINAL_STATES.has(job.state)) {
    announce(STATE_LABELS[job.state] ?? job.state);
    return;
  }
  page.watch = null;
  prefs.setActiveJob(null);
  if (job.state === 'delivered') {
    view.showRelay(job.relay?.total ?? 1, job.relay?.total ?? 1);
    view.showResult(job);
    showDestinationResult(job);
    view.showPhase('done');
    announce(`Delivered. Message id ${job.messageId ?? 'unknown'}.`);
    el.another.focus();
  } else {
    view.showMessage(el.jobError, explainJobFailure(job));
    view.showRetry(true);
    view.showPhase('done');
    el.retry.focus();
  }
}

el.retry.addEventListener('click', async () => {
  if (!page.jobId) return;
  view.showRetry(false);
  try {
    await api.retry(page.jobId);
    prefs.setActiveJob({ id: page.jobId, fileName: page.file?.name });
    follow(page.jobId, page.file?.name);
  } catch (error) {
    view.showRetry(true);
    view.showPhase('done');
    view.showMessage(el.jobError, explainApiError(error));
  }
});

el.another.addEventListener('click', () => {
  resetToIdle();
  el.dropZone.focus();
});

function resetToIdle() {
  page.watch?.stop();
  page.watch = null;
  page.jobId = null;
  choose(null);
  view.resetProgress();
  view.showPhase('idle');
  void showRemembered(api.headers());
}

// ---- start-up: limits, key, unfinished uploads, a delivery in progress --------------------

function showKeyField(show, focus = false) {
  el.keyField.hidden = !show;
  if (show && focus) el.apiKey.focus();
}

/**
 * GET /api/config: limits, checksums, whether a key is needed. A service that protects /api with
 * its keys answers 401 until a valid key is entered; then the key field shows and we ask again on
 * submit. Returns whether the config is known.
 */
async function loadConfig() {
  try {
    page.config = { ...page.config, ...(await api.config()) };
    page.configLoaded = true;
    view.showMessage(el.serviceProblem, '');
  } catch (error) {
    if (statusOf(error) === 401 || statusOf(error) === 403) {
      page.config.apiKeyRequired = true;
      if (prefs.apiKey()) {
        view.showMessage(el.formError, explainApiError(error));
        showKeyField(true, true);
      }
    } else {
      view.showMessage(el.serviceProblem, explainApiError(error));
    }
  }
  view.showLimits(page.configLoaded ? page.config : undefined, page.config.apiKeyRequired);
  showDestinationFields(page.config.destination);
  return page.configLoaded;
}

async function start() {
  const draft = prefs.draft();
  if (draft) {
    el.to.value = draft.to ?? '';
    el.text.value = draft.text ?? '';
    el.language.value = draft.language || 'en-US';
  }
  el.apiKey.value = prefs.apiKey();
  if (!window.tus) {
    view.showMessage(el.serviceProblem, 'The upload library did not load (/vendor/tus.min.js). Reload the page; if it persists, the service is misconfigured.');
    el.send.disabled = true;
    return;
  }
  await loadConfig();
  showKeyField(page.config.apiKeyRequired);
  const algorithms = Array.isArray(page.config.checksumAlgorithms) ? page.config.checksumAlgorithms : await api.checksumAlgorithms();
  page.checksums = checksumsSupported() && algorithms.includes('sha256');
  el.checksumMode.textContent = page.checksums ? 'SHA-256 per chunk' : checksumsSupported() ? 'not offered by the service' : 'off (needs https)';
  document.body.dataset.ready = 'true';
  await showRemembered(api.headers());
  const active = prefs.activeJob();
  if (active?.id) follow(active.id, active.fileName);
}

view.showPhase('idle');
void start();
