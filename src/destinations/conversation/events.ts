/**
 * What the conversation destination reports while it works, beside the engine's UploadEvents:
 * which communication the file goes on (and why), each media requested, uploaded and judged, the
 * re-upload after an `invalid`, retries, and the message sent. Nothing here prints; callers
 * (the CLI, the service, logs) read these. No field holds a token or a pre-signed URL.
 */
export type ConversationEvent =
  | {
      type: 'communication-chosen';
      conversationId: string;
      communicationId: string;
      /** `given`: from the caller; `agent`: the agent's connected one; `non-customer`: the lenient fallback. */
      reason: 'given' | 'agent' | 'non-customer';
      participantId?: string | undefined;
      purpose?: string | undefined;
      /** Connected candidates seen (more than one: the first was taken). */
      candidates?: number | undefined;
    }
  | { type: 'media-requested'; mediaId: string; attempt: number }
  | { type: 'media-uploaded'; mediaId: string; bytes: number }
  | { type: 'media-status'; mediaId: string; status: string; elapsedMs: number }
  | { type: 'media-invalid'; mediaId: string; willRetry: boolean }
  | { type: 'retry'; route: 'api' | 'token' | 'storage'; attempt: number; delayMs: number; reason: string; status?: number | undefined; code?: string | undefined }
  | { type: 'message-sent'; messageId: string; mediaId?: string | undefined }
  /** A send whose answer was lost was looked up in the conversation: found (with its id) or provably absent. */
  | { type: 'message-settled'; found: boolean; messageId?: string | undefined };

export type ConversationEventListener = (event: ConversationEvent) => void;
