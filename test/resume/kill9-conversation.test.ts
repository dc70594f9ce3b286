/**
 * `send --via conversation` killed with SIGKILL at several points, each followed by the same
 * command: afterwards the conversation holds exactly one message with the media, whose bytes'
 * SHA-256 (emulator state) is the source's. Each point uses its own conversation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import { runCli, until } from './helpers/cli.js';
import { assertOneMessage, finalResult, killBed, killInside } from './helpers/kill9.js';

interface Media {
  id: string;
  status: string;
  size?: number;
}
interface Conversation {
  id: string;
  media: Media[];
  messages: Array<{ id: string; media: Array<{ sha256: string; size: number }> }>;
}

function conversation(emulator: EmulatorHandle, id: string): Conversation {
  const items = (emulator.state() as unknown as { conversations: { items: Conversation[] } }).conversations.items;
  const found = items.find((c) => c.id === id);
  assert.ok(found, `conversation ${id}`);
  return found;
}

interface Point {
  name: string;
  kills?: number;
  arm(emulator: EmulatorHandle, conversationId: string): Promise<void>;
}

const fault = (e: EmulatorHandle, rule: Record<string, unknown>): void => void e.addFault(rule as never);

const POINTS: Point[] = [
  {
    name: 'media requested, its answer lost',
    arm: async (e, id) => {
      fault(e, { route: 'media-uploads', action: 'lose-response' });
      await until(() => conversation(e, id).media.length > 0, 'the media created');
    },
  },
  {
    name: 'during the PUT (stalled)',
    arm: async (e, id) => {
      fault(e, { route: 'media-put', action: 'stall', stallMs: 60_000 });
      await until(() => conversation(e, id).media.length > 0, 'the media requested');
    },
  },
  {
    name: 'during the PUT, twice',
    kills: 2,
    arm: async (e, id) => {
      fault(e, { route: 'media-put', action: 'stall', stallMs: 60_000 });
      const before = conversation(e, id).media.length;
      await until(() => conversation(e, id).media.length > before, 'a media requested');
    },
  },
  {
    name: "while the media's status is still uploading",
    arm: async (e, id) => {
      e.configure({ conversations: { validationDelayMs: 60_000 } } as never);
      await until(() => conversation(e, id).media.some((m) => m.size !== undefined), 'the bytes stored');
    },
  },
  {
    name: 'the send stalled (no message yet)',
    arm: async (e, id) => {
      fault(e, { route: 'conversation-send', action: 'stall', stallMs: 60_000 });
      await until(() => conversation(e, id).media.some((m) => m.status === 'valid'), 'the media valid');
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(conversation(e, id).messages.length, 0);
    },
  },
  {
    name: "the send's answer lost (the message exists)",
    arm: async (e, id) => {
      fault(e, { route: 'conversation-send', action: 'lose-response' });
      await until(() => conversation(e, id).messages.length > 0, 'the message stored');
    },
  },
];

test('kill -9 at several points of a conversation send, then the same command: exactly one message, identical bytes', async (t) => {
  const { dir, emulator, env } = await killBed(t, 'kill9-conv-');
  for (const [n, point] of POINTS.entries()) {
    await t.test(point.name, async () => {
      emulator.configure({ conversations: { validationDelayMs: 50 } } as never);
      const created = await fetch(`${emulator.url}/__emulator/conversations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ profile: { allowedTypes: ['application/pdf'] } }),
      });
      const conversationId = ((await created.json()) as { id: string }).id;
      const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(1024 * 1024)]);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const file = join(dir, `c${n}.pdf`);
      await writeFile(file, bytes);
      const args = ['send', file, '--via', 'conversation', '--conversation-id', conversationId, '--json', '--quiet'];
      await killInside(args, env, () => point.arm(emulator, conversationId), point.kills);
      emulator.clearFaults();
      emulator.configure({ conversations: { validationDelayMs: 50 } } as never);
      const result = await finalResult<{ messageId: string; sha256: string; details: Record<string, string> }>(runCli(args, env));
      assert.equal(result.sha256, sha256);
      assert.equal(result.details['conversationId'], conversationId);
      const messages = conversation(emulator, conversationId).messages.map((m) => ({ id: m.id, files: m.media.map(({ sha256, size }) => ({ sha256, size })) }));
      assertOneMessage(messages, result.messageId, { sha256, size: bytes.length });
    });
  }
});
