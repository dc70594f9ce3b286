/**
 * The tutorial's Files API as a destination: chunked storage behind pre-signed URLs (store) and a
 * guest message with the file attached (notifier). Served by the emulator; real Genesys Cloud orgs
 * do not have this API. The client is the caller's: close() leaves it open.
 */
import type { GenesysClient } from '../../relay/genesys-client.js';
import type { Destination } from '../destination.js';
import { FilesNotifier, type FilesRecipients } from './notifier.js';
import { FilesStore, GENESYS_FILES } from './store.js';

export { FilesStore, GENESYS_FILES, heldParts } from './store.js';
export { FilesNotifier, provablyNotSent, type FilesRecipients } from './notifier.js';
export { FilesSession, abortRemoteUpload, sessionStateOf, type FilesSessionState } from './session.js';

export function genesysFilesDestination(client: GenesysClient, recipients: FilesRecipients): Destination {
  return {
    name: GENESYS_FILES,
    description: client.target,
    targetKey: `${client.apiUrl} ${client.clientId}`,
    store: new FilesStore(client),
    notifier: new FilesNotifier(client, recipients),
    close: () => Promise.resolve(),
  };
}
