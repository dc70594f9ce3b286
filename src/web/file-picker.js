/**
 * The drop zone: drag and drop a file, or click / Enter / Space to open the file chooser. The zone
 * is a focusable role="button"; the real <input type="file"> stays in the page (hidden) so that
 * the chooser, automation and assistive technology all use the same input.
 */
import { el } from './view.js';

/** @param {(file: File | null) => void} onChoose */
export function setUpFilePicker(onChoose) {
  const locked = () => el.dropZone.getAttribute('aria-disabled') === 'true';
  const open = () => {
    if (!locked()) el.fileInput.click();
  };

  el.fileInput.addEventListener('change', () => onChoose(el.fileInput.files?.[0] ?? null));
  el.chosenClear.addEventListener('click', () => {
    el.fileInput.value = '';
    onChoose(null);
    el.dropZone.focus();
  });
  el.dropZone.addEventListener('click', open);
  el.dropZone.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      open();
    }
  });
  for (const type of ['dragenter', 'dragover']) {
    el.dropZone.addEventListener(type, (event) => {
      event.preventDefault();
      if (!locked()) el.dropZone.classList.add('dragging');
    });
  }
  for (const type of ['dragleave', 'drop']) {
    el.dropZone.addEventListener(type, () => el.dropZone.classList.remove('dragging'));
  }
  el.dropZone.addEventListener('drop', (event) => {
    event.preventDefault();
    const file = event.dataTransfer?.files?.[0];
    if (file && !locked()) onChoose(file);
  });
  // A file dropped outside the zone must not make the browser navigate away from an upload.
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => event.preventDefault());
}
