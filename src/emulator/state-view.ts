/** The read-only state view (GET /__emulator/state, handle.state()). */
import { buildConversationsState } from './conversations/state.js';
import { segmentsView } from './routes/upload-view.js';
import type { Services } from './services.js';
import type { EmulatorState } from './types.js';
import { buildS3State } from './s3/state.js';

export function buildState(env: Services): EmulatorState {
  return {
    now: env.clock.now(),
    counters: Object.fromEntries(
      [...env.stats.counters].map(([route, c]) => [route, { ...c, statuses: { ...c.statuses } }]),
    ),
    uploads: env.uploads.all().map((upload) => {
      const { uploadId, fileName, contentType, totalSize, chunkSize, maxChunks, state, fileId } = upload.meta;
      return {
        uploadId,
        fileName,
        contentType,
        totalSize,
        chunkSize,
        maxChunks,
        state,
        segments: segmentsView(upload),
        ...(fileId !== undefined && { fileId }),
      };
    }),
    files: env.files.all().map(({ id, name, contentType, size, sha256, createdAt }) => ({ id, name, contentType, size, sha256, createdAt })),
    guests: env.guests.all().map(({ id, language }) => ({ id, language })),
    messages: env.messages.all().map(({ id, guestId, to, text, attachments, createdAt }) => ({
      id,
      guestId,
      to: [...to],
      text,
      attachments: attachments.map((a) => ({ ...a })),
      createdAt,
    })),
    storageAuthorizationSeen: env.stats.storageAuthorizationSeen,
    conversations: buildConversationsState(env),
    requestLog: env.stats.log(),
    webMessaging: env.webMessaging.view(),
    s3: buildS3State(env.s3.store, env.settings().s3, env.s3.url(), env.s3.seen),
  };
}
