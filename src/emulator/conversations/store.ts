/**
 * Conversations on disk: `conversations/<id>.json` holds one conversation whole (participants,
 * profile, media records, messages), rewritten atomically on every change — they are small — and
 * `conversations/media/<mediaId>` holds each stored media's bytes. A PUT streams into
 * `media/<mediaId>.tmp-<random>` first, which a restart deletes. Changes to one conversation run
 * under its lock, so two requests never interleave their read-modify-write.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isId } from '../ids.js';
import type { JsonWriter } from '../store/json-writer.js';
import { KeyedMutex } from '../store/keyed-mutex.js';
import { MediaUrlSigner } from './signer.js';
import type { ConversationRecord, MediaRecord } from './types.js';

export class ConversationStore {
  readonly #dir: string;
  readonly #mediaDir: string;
  readonly #writer: JsonWriter;
  readonly #items = new Map<string, ConversationRecord>();
  /** mediaId → its conversation id. */
  readonly #mediaIndex = new Map<string, string>();
  readonly #mutex = new KeyedMutex();
  readonly signer: MediaUrlSigner;
  uploadAuthorizationSeen = false;

  private constructor(dir: string, writer: JsonWriter, instanceKey: Buffer) {
    this.#dir = dir;
    this.#mediaDir = join(dir, 'media');
    this.#writer = writer;
    this.signer = new MediaUrlSigner(instanceKey);
  }

  static async open(dir: string, writer: JsonWriter, instanceKey: Buffer): Promise<ConversationStore> {
    const store = new ConversationStore(dir, writer, instanceKey);
    await mkdir(store.#mediaDir, { recursive: true });
    for (const name of await readdir(store.#mediaDir)) {
      if (name.includes('.tmp-')) await unlink(join(store.#mediaDir, name)).catch(() => undefined);
    }
    const loaded: ConversationRecord[] = [];
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if (name.includes('.tmp-')) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      const m = /^(.+)\.json$/.exec(name);
      if (!m || !isId(m[1])) continue;
      try {
        const record = JSON.parse(await readFile(path, 'utf8')) as ConversationRecord;
        if (record?.id === m[1] && Array.isArray(record.participants)) loaded.push(record);
      } catch {
        // An unreadable record is skipped rather than stopping the emulator from starting.
      }
    }
    loaded.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const record of loaded) store.#remember(record);
    return store;
  }

  get(id: string): ConversationRecord | undefined {
    return isId(id) ? this.#items.get(id) : undefined;
  }

  all(): ConversationRecord[] {
    return [...this.#items.values()];
  }

  /** The media and its conversation, by media id alone (the storage route knows no conversation). */
  media(mediaId: string): { conversation: ConversationRecord; media: MediaRecord } | undefined {
    const conversation = this.get(this.#mediaIndex.get(mediaId) ?? '');
    const media = conversation?.media.find((m) => m.id === mediaId);
    return conversation && media ? { conversation, media } : undefined;
  }

  async save(record: ConversationRecord): Promise<void> {
    await this.#writer.write(join(this.#dir, `${record.id}.json`), record);
    this.#remember(record);
  }

  lock<T>(conversationId: string, task: () => Promise<T>): Promise<T> {
    return this.#mutex.run(conversationId, task);
  }

  mediaPath(mediaId: string): string {
    return join(this.#mediaDir, mediaId);
  }

  tempPath(mediaId: string): string {
    return join(this.#mediaDir, `${mediaId}.tmp-${randomBytes(6).toString('hex')}`);
  }

  async commitMedia(tempPath: string, mediaId: string): Promise<void> {
    await rename(tempPath, this.mediaPath(mediaId));
  }

  async discardTemp(tempPath: string): Promise<void> {
    await unlink(tempPath).catch(() => undefined);
  }

  #remember(record: ConversationRecord): void {
    this.#items.set(record.id, record);
    for (const media of record.media) this.#mediaIndex.set(media.id, record.id);
  }
}
