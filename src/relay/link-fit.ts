/**
 * The link store of one link send, checking before anything is uploaded that its link message
 * can fit the notifier's target (an SMS conversation: 765 characters): the limit is asked of the
 * notifier (`textLimit`, which may resolve the conversation's communication), and the store signs
 * a link of the real one's length to measure the text. A file whose link message cannot fit is
 * refused with the limit named (ConfigError, exit 2) instead of after a multi-GB upload.
 */
import type { Notifier, Store } from '../destinations/destination.js';
import type { S3LinkStore } from '../destinations/s3/index.js';
import { textLimitOf } from './message-text.js';

export function linkFitStore(store: S3LinkStore, notifier: Notifier): Store {
  return {
    name: store.name,
    refuses: (file) => store.refuses(file),
    async open(file, step) {
      await store.checkLinkFits(file, await textLimitOf(notifier, step));
      return store.open(file, step);
    },
    // The parts still missing are not sent for a message that could not go either.
    async resume(state, file, step, journalledParts) {
      await store.checkLinkFits(file, await textLimitOf(notifier, step));
      return store.resume(state, file, step, journalledParts);
    },
    discard: (state) => store.discard(state),
  };
}
