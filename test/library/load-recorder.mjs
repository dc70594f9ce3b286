// Registers module-resolution hooks that append every URL Node's ESM loader resolves to the file
// named by LOAD_LOG, one per line. Used with `--import tsx --import ./test/library/load-recorder.mjs`:
// hooks registered later run first, so each resolve goes through tsx and the final URL is recorded.
import { register } from 'node:module';

register('./load-recorder-hooks.mjs', import.meta.url);
