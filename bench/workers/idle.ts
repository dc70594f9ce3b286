/**
 * Measures nothing: its peak RSS is what Node + the tsx loader cost before any work, the floor
 * under every other row's RSS (all workers run under `node --import tsx`). Input: {}.
 */
import { measureSelf } from '../lib/self-measure.js';

await measureSelf(async () => ({ bytes: 0 }));
