/** The demo's view of a delivered message in the embedded emulator, for its checks (demo-via.ts, demo-link.ts). */
import type { EmulatorHandle } from '../emulator/index.js';

export interface DemoMessage {
  text: string | undefined;
  /** The SHA-256 of the first bytes attached to the message (a Files API message's attachments are file ids: none). */
  attachedSha256: string | undefined;
}

/** Message `messageId` wherever the emulator holds it: the Files API's, a Web Messaging guest's, or a conversation's. */
export function demoMessage(emulator: EmulatorHandle, messageId: string): DemoMessage | undefined {
  const state = emulator.state();
  const tutorial = state.messages.find((m) => m.id === messageId);
  if (tutorial !== undefined) return { text: tutorial.text, attachedSha256: undefined };
  const guest = state.webMessaging.conversations.flatMap((c) => c.messages).find((m) => m.id === messageId);
  if (guest !== undefined) return { text: guest.text, attachedSha256: guest.attachments[0]?.sha256 };
  const agent = state.conversations.items.flatMap((c) => c.messages).find((m) => m.id === messageId);
  return agent === undefined ? undefined : { text: agent.textBody, attachedSha256: agent.media[0]?.sha256 };
}
