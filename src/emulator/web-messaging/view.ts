/**
 * How a Web Messaging message and its attachments look: to the guest (the StructuredMessage echo
 * and the history route) and to an agent (the emulator's state view: each conversation's messages
 * with their attachments' stored size and SHA-256). Never the guest token.
 */
import { mediaTypeOf } from './checks.js';
import type { WmAttachment, WmMessage } from './model.js';
import type { WebMessaging } from './service.js';

export interface WmAttachmentView {
  id: string;
  fileName: string;
  fileType: string;
  declaredSize: number;
  state: WmAttachment['state'];
  storedSize?: number;
  sha256?: string;
  failure?: { errorCode: number; errorMessage: string };
  sentIn: string[];
}

export interface WebMessagingView {
  conversations: Array<{
    sessionId: string;
    deploymentId: string;
    createdAt: string;
    ended: boolean;
    connections: number;
    messages: Array<{ id: string; time: string; text?: string; attachments: Array<{ id: string; fileName: string; fileType: string; size: number; sha256: string }> }>;
    attachments: WmAttachmentView[];
  }>;
}

/** The attachment as it appears inside a message's content. */
export function attachmentView(wm: WebMessaging, a: WmAttachment, httpOrigin: string): Record<string, unknown> {
  const ttl = wm.deployment(wm.sessions.get(a.sessionId)?.deploymentId)?.urlTtlSeconds ?? 600;
  return {
    id: a.id,
    url: wm.signer.sign('GET', httpOrigin, a.id, {}, wm.clock.now(), ttl),
    filename: a.fileName,
    fileSize: a.storedSize ?? a.fileSize,
    mediaType: mediaTypeOf(a.fileType),
    mime: a.fileType,
    ...(a.sha256 !== undefined && { sha256: a.sha256 }),
  };
}

/** The stored message as the StructuredMessage body / WebMessagingMessage entity. */
export function messageBody(wm: WebMessaging, m: WmMessage, attachment: (a: WmAttachment) => Record<string, unknown>): Record<string, unknown> {
  const content = m.attachmentIds.flatMap((id) => {
    const a = wm.attachments.get(id);
    return a ? [{ contentType: 'Attachment', attachment: attachment(a) }] : [];
  });
  return {
    id: m.id,
    type: 'Text',
    ...(m.text !== undefined && { text: m.text }),
    direction: 'Inbound',
    channel: { time: new Date(m.time).toISOString(), messageId: m.id, type: 'Private' },
    ...(content.length > 0 && { content }),
    originatingEntity: 'Human',
  };
}

export function buildWmView(wm: WebMessaging): WebMessagingView {
  return {
    conversations: [...wm.sessions.values()].map((s) => ({
      sessionId: s.id,
      deploymentId: s.deploymentId,
      createdAt: new Date(s.createdAt).toISOString(),
      ended: s.ended,
      connections: s.connections.length,
      messages: s.messages.map((m) => ({
        id: m.id,
        time: new Date(m.time).toISOString(),
        ...(m.text !== undefined && { text: m.text }),
        attachments: m.attachmentIds.flatMap((id) => {
          const a = wm.attachments.get(id);
          return a ? [{ id, fileName: a.fileName, fileType: a.fileType, size: a.storedSize ?? 0, sha256: a.sha256 ?? '' }] : [];
        }),
      })),
      attachments: [...s.attachments.values()].map((a) => ({
        id: a.id,
        fileName: a.fileName,
        fileType: a.fileType,
        declaredSize: a.fileSize,
        state: a.state,
        ...(a.storedSize !== undefined && { storedSize: a.storedSize }),
        ...(a.sha256 !== undefined && { sha256: a.sha256 }),
        ...(a.failure && { failure: { ...a.failure } }),
        sentIn: [...a.sentIn],
      })),
    })),
  };
}
