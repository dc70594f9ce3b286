/**
 * `send --via web-messaging` killed with SIGKILL at ten points across the flow, each followed by
 * the same command: afterwards exactly one message carries the file, and the attached bytes'
 * SHA-256 (emulator state) is the source's. Each point sends its own file (its own job, guest and
 * conversation). The windows are held open with the emulator's faults: a rate-limited request
 * (retryAfter 60), a stalled PUT, a delayed or dropped success event, sockets dropped (the client
 * waits 5 s before reconnecting, as Genesys' own clients do), an onMessage whose answer is lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_DEPLOYMENT_ID, type EmulatorHandle } from '../../src/emulator/index.js';
import { writeBigFile } from './helpers/big-file.js';
import { runCli, until } from './helpers/cli.js';
import { assertOneMessage, finalResult, killBed, killInside } from './helpers/kill9.js';

const SIZE = 2 * 1024 * 1024;

interface WmAttachment {
  fileName: string;
  storedSize?: number;
  state: string;
}
interface WmMessage {
  id: string;
  attachments: Array<{ fileName: string; sha256: string; size: number }>;
}
interface WmConversation {
  messages: WmMessage[];
  attachments: WmAttachment[];
}

function conversations(emulator: EmulatorHandle): WmConversation[] {
  return (emulator.state() as unknown as { webMessaging: { conversations: WmConversation[] } }).webMessaging.conversations;
}
const attachments = (emulator: EmulatorHandle, name: string): WmAttachment[] => conversations(emulator).flatMap((c) => c.attachments.filter((a) => a.fileName === name));
const messages = (emulator: EmulatorHandle, name: string): WmMessage[] => conversations(emulator).flatMap((c) => c.messages.filter((m) => m.attachments.some((a) => a.fileName === name)));
const stored = (emulator: EmulatorHandle, name: string): boolean => attachments(emulator, name).some((a) => a.storedSize !== undefined);

interface Point {
  name: string;
  /** Sets the faults, and resolves when the CLI is inside the window. */
  arm(emulator: EmulatorHandle, file: string, guests: () => boolean): Promise<void>;
  /** Kills before the last run (default 1). */
  kills?: number;
}

const wmFault = (emulator: EmulatorHandle, rule: Record<string, unknown>): string => emulator.webMessaging.addFault(rule as never);
const consumed = (emulator: EmulatorHandle): boolean => emulator.webMessaging.faults().length === 0;

const POINTS: Point[] = [
  {
    name: 'configureSession rate-limited (before the session)',
    arm: async (e) => {
      wmFault(e, { action: 'too-many-requests', retryAfter: 60 });
      await until(() => consumed(e), 'the rate-limited configureSession');
    },
  },
  {
    name: 'after the session: the socket dropped, reconnect pending',
    arm: async (e, _file, guests) => {
      wmFault(e, { action: 'close-after-frames', frames: 1 });
      await until(() => consumed(e) && guests(), 'the session and the kept guest token');
    },
  },
  {
    name: 'during the PUT (stalled)',
    arm: async (e, file) => {
      e.addFault({ route: 'wm-upload', action: 'stall', stallMs: 60_000 } as never);
      await until(() => attachments(e, file).length > 0, 'the attachment requested');
    },
  },
  {
    name: 'during the PUT, twice (the resumed run killed too)',
    kills: 2,
    arm: async (e, file) => {
      e.addFault({ route: 'wm-upload', action: 'stall', stallMs: 60_000, count: 2 } as never);
      const before = attachments(e, file).length;
      await until(() => attachments(e, file).length > before, 'an attachment requested');
    },
  },
  {
    name: 'after the PUT, the answer lost',
    arm: async (e, file) => {
      e.addFault({ route: 'wm-upload', action: 'lose-response' } as never);
      await until(() => stored(e, file), 'the bytes stored');
    },
  },
  {
    name: 'after the PUT, before the success event (delayed)',
    arm: async (e, file) => {
      wmFault(e, { action: 'delay-success', delayMs: 60_000 });
      await until(() => stored(e, file), 'the bytes stored');
    },
  },
  {
    name: 'after the PUT, the success event dropped',
    arm: async (e, file) => {
      wmFault(e, { action: 'drop-success' });
      await until(() => stored(e, file), 'the bytes stored');
    },
  },
  {
    name: 'the socket dropped mid-upload',
    arm: async (e, file) => {
      wmFault(e, { action: 'close-mid-upload' });
      await until(() => stored(e, file), 'the bytes stored');
    },
  },
  {
    name: 'before onMessage (rate-limited)',
    arm: async (e, file) => {
      wmFault(e, { action: 'delay-success', delayMs: 300 });
      await until(() => stored(e, file), 'the bytes stored');
      wmFault(e, { action: 'too-many-requests', retryAfter: 60 });
      await until(() => consumed(e), 'the rate-limited onMessage');
    },
  },
  {
    name: "onMessage's answer lost (killed before the settle)",
    arm: async (e, file) => {
      wmFault(e, { action: 'lose-message-response' });
      await until(() => messages(e, file).length > 0, 'the message stored');
    },
  },
  {
    name: "onMessage's answer lost, the reconnect rate-limited",
    arm: async (e, file) => {
      wmFault(e, { action: 'lose-message-response' });
      await until(() => messages(e, file).length > 0, 'the message stored');
      wmFault(e, { action: 'too-many-requests', retryAfter: 60 });
      await until(() => consumed(e), 'the rate-limited reconnect');
    },
  },
];

test('kill -9 at ten points across a Web Messaging send, then the same command: exactly one message, identical bytes', async (t) => {
  const { dir, emulator } = await killBed(t, 'kill9-wm-');
  const stateDir = join(dir, 'state');
  const env = {
    HOME: dir,
    GENESYS_UPLOAD_STATE_DIR: stateDir,
    GENESYS_WEBMESSAGING_URL: `${emulator.url.replace(/^http/, 'ws')}/v1`,
    GENESYS_DEPLOYMENT_ID: DEMO_DEPLOYMENT_ID,
  };
  const guestsDir = join(stateDir, 'guests');
  for (const [n, point] of POINTS.entries()) {
    await t.test(point.name, async () => {
      const name = `p${n}.pdf`;
      const file = join(dir, name);
      const sha256 = await writeBigFile(file, SIZE);
      const tokensBefore = existsSync(guestsDir) ? readdirSync(guestsDir).length : 0;
      const guests = (): boolean => existsSync(guestsDir) && readdirSync(guestsDir).length > tokensBefore;
      const args = ['send', file, '--via', 'web-messaging', '--json', '--quiet'];
      await killInside(args, env, () => point.arm(emulator, name, guests), point.kills);
      emulator.clearFaults();
      emulator.webMessaging.clearFaults();
      const result = await finalResult<{ messageId: string; sha256: string; destination: string }>(runCli(args, env));
      assert.equal(result.destination, 'web-messaging');
      assert.equal(result.sha256, sha256);
      const delivered = messages(emulator, name).map((m) => ({ id: m.id, files: m.attachments.map(({ sha256, size }) => ({ sha256, size })) }));
      assertOneMessage(delivered, result.messageId, { sha256, size: SIZE });
    });
  }
});
