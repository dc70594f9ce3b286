/**
 * What the page remembers across reloads. The API key lives in sessionStorage (this tab only,
 * gone when it closes); the form's draft and the job being delivered live in localStorage so a
 * reload can pick up where it was. Storage may be unavailable (private modes): then nothing is kept.
 */

const KEY = 'genesys-upload.apiKey';
const DRAFT = 'genesys-upload.draft';
const ACTIVE_JOB = 'genesys-upload.activeJob';

function read(storage, name) {
  try {
    return storage.getItem(name);
  } catch {
    return null;
  }
}

function write(storage, name, value) {
  try {
    if (value === null || value === '') storage.removeItem(name);
    else storage.setItem(name, value);
  } catch {
    // Storage full or disabled: the page still works, it just forgets on reload.
  }
}

function readJson(name) {
  try {
    return JSON.parse(read(localStorage, name) ?? 'null');
  } catch {
    return null;
  }
}

export const prefs = {
  apiKey: () => read(sessionStorage, KEY) ?? '',
  setApiKey: (value) => write(sessionStorage, KEY, value.trim()),

  /** @returns {{to?: string, text?: string, language?: string} | null} */
  draft: () => readJson(DRAFT),
  setDraft: (draft) => write(localStorage, DRAFT, JSON.stringify(draft)),

  /** The job whose delivery the page is following: {id, fileName}. */
  activeJob: () => readJson(ACTIVE_JOB),
  setActiveJob: (job) => write(localStorage, ACTIVE_JOB, job ? JSON.stringify(job) : null),
};
