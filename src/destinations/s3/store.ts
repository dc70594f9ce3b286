/**
 * The S3 link store as a seam store: `open` picks the object's key and either creates a multipart
 * upload (SHA-256 checksums, type, disposition) or, for a file that fits one part, a single PUT;
 * `resume` asks ListParts what a journalled upload holds (the store is the truth); when the store
 * forgot it, the upload may have been completed just before a crash (finished-upload.ts decides
 * from the object and the journalled parts), else it answers undefined and the caller starts over.
 */
import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { InternalError } from '../../errors/index.js';
import type { FileFacts, JsonValue, Refusal, RemoteSession, StepContext, Store, StoredPart } from '../destination.js';
import { contentDisposition } from './checksums.js';
import { S3Connection } from './client.js';
import { finishedUpload } from './finished-upload.js';
import { objectLink } from './link.js';
import { checkLinkFits, type TextLimit } from './link-text.js';
import { heldParts, listParts } from './list-parts.js';
import { abortMultipart, MultipartSession, type MultipartState } from './multipart-session.js';
import { parseS3Options, type S3StoreInput, type S3StoreOptions } from './options.js';
import { isSinglePut, multipartPlan, planParts, singlePutPlan, tooLargeForS3 } from './part-size.js';
import { PutSession, type PutState } from './put-session.js';

export const S3_STORE = 's3';

/** A store's settings as the user spells them, or already parsed (`parseS3Options`: then not parsed again). */
export type S3StoreSettings = S3StoreInput | S3StoreOptions;

/** `prefix/<16 hex>/<name>`: unique per send, so no upload ever replaces another's object. */
export function objectKey(prefix: string, fileName: string): string {
  return `${prefix}${randomBytes(8).toString('hex')}/${keyName(fileName)}`;
}

const MAX_KEY_NAME = 100;
const MAX_EXTENSION = 16;

/**
 * The file's name as the key's last segment: ASCII letters, digits, `.`, `-` and `_` only, at
 * most 100 characters with the extension kept. The key appears in every link, and a link must fit
 * a 2000-character message: a 255-character non-ASCII name, percent-encoded, would not. The real
 * name is in the object's Content-Disposition, which is what a browser saves the download under.
 */
export function keyName(fileName: string): string {
  const folded = fileName
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-+(?=\.)/g, '');
  // A name with nothing ASCII before its extension ("报告.docx") keeps the extension.
  const ascii = /^\.[A-Za-z0-9_-]+$/.test(folded) ? `file${folded}` : folded.replace(/^[-.]+|-+$/g, '');
  if (ascii.length <= MAX_KEY_NAME) return ascii === '' ? 'file' : ascii;
  const dot = ascii.lastIndexOf('.');
  const extension = dot > 0 && ascii.length - dot <= MAX_EXTENSION + 1 ? ascii.slice(dot) : '';
  return ascii.slice(0, MAX_KEY_NAME - extension.length).replace(/[-.]+$/, '') + extension;
}

function stateOf(state: JsonValue): MultipartState | PutState | undefined {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return undefined;
  const s = state as Record<string, JsonValue>;
  const str = (name: string): boolean => typeof s[name] === 'string' && s[name] !== '';
  if (!str('bucket') || !str('key') || !str('fileName') || !str('contentType') || typeof s.size !== 'number') return undefined;
  if (s.kind === 'put') return state as unknown as PutState;
  if (s.kind === 'multipart' && str('uploadId') && typeof s.partSize === 'number') return state as unknown as MultipartState;
  return undefined;
}

export class S3LinkStore implements Store {
  readonly name = S3_STORE;
  readonly options: S3StoreOptions;
  /** The SDK client and the URL signer, loaded on first use (opening, resuming or discarding an upload). */
  readonly connection: S3Connection;

  constructor(input: S3StoreSettings, client?: S3Client) {
    this.options = 'location' in input ? parseS3Options(input) : input;
    this.connection = new S3Connection(this.options, client);
  }

  /** The AWS SDK client of the control calls (loading the SDK the first time). */
  s3Client(): Promise<S3Client> {
    return this.connection.client();
  }

  /** Where objects go, for messages and the journal (no secret). */
  get description(): string {
    return `s3://${this.options.bucket}/${this.options.prefix}${this.options.endpoint === undefined ? '' : ` at ${this.options.endpoint}`}`;
  }

  refuses(file: FileFacts): Refusal | undefined {
    const error = tooLargeForS3(file.size);
    return error === undefined ? undefined : { error };
  }

  /**
   * Refuses (ConfigError, exit 2) a file whose link message could not fit `limit`, before anything
   * is uploaded: the link is signed for a key of the length the real one will have (local signing,
   * no request), so its length is the real link's.
   */
  async checkLinkFits(file: FileFacts, limit: TextLimit): Promise<void> {
    const object = { bucket: this.options.bucket, key: objectKey(this.options.prefix, file.fileName) };
    const link = await objectLink(this.connection, this.options, object);
    checkLinkFits({ fileName: file.fileName, size: file.size, url: link.url, expiresAt: link.expiresAt }, limit);
  }

  async open(file: FileFacts, step: StepContext): Promise<RemoteSession> {
    const plan = planParts(file.size, this.options.partSize);
    const key = objectKey(this.options.prefix, file.fileName);
    const { bucket } = this.options;
    if (isSinglePut(plan)) {
      const state: PutState = { kind: 'put', bucket, key, fileName: file.fileName, contentType: file.contentType, size: file.size };
      return new PutSession(this.connection, this.options, state, plan, false);
    }
    const created = await this.connection.control('start the S3 multipart upload', step.signal, (client, sdk, o) =>
      client.send(
        new sdk.CreateMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          ChecksumAlgorithm: 'SHA256',
          ContentType: file.contentType,
          ContentDisposition: contentDisposition(file.fileName),
        }),
        o,
      ),
    );
    if (created.UploadId === undefined || created.UploadId === '') {
      throw new InternalError('s3.no_upload_id', 'The S3 store answered CreateMultipartUpload without an UploadId.');
    }
    const state: MultipartState = {
      kind: 'multipart',
      bucket,
      key,
      uploadId: created.UploadId,
      fileName: file.fileName,
      contentType: file.contentType,
      size: file.size,
      partSize: plan.chunkSize,
    };
    return new MultipartSession(this.connection, this.options, state, plan, new Map(), false);
  }

  /**
   * `journalledParts`: what the journal recorded as stored. When the store no longer knows the
   * upload, they tell whether the object at its key is the finished upload (finished-upload.ts).
   */
  async resume(journalled: JsonValue, file: FileFacts, step: StepContext, journalledParts?: readonly StoredPart[]): Promise<RemoteSession | undefined> {
    const state = stateOf(journalled);
    if (state === undefined || state.size !== file.size) return undefined;
    if (state.kind === 'put') {
      // Nothing partial to keep: the one PUT goes again (to the same key).
      return new PutSession(this.connection, this.options, state, singlePutPlan(state.size), true);
    }
    const plan = multipartPlan(state.size, state.partSize);
    const target = { bucket: state.bucket, key: state.key, uploadId: state.uploadId };
    const listed = await listParts(this.connection, target, step.signal);
    if (listed === undefined) {
      const finished = await finishedUpload(this.connection, state, plan, journalledParts, step.signal);
      return finished === undefined ? undefined : new MultipartSession(this.connection, this.options, state, plan, finished.held, true, finished.composite);
    }
    return new MultipartSession(this.connection, this.options, state, plan, heldParts(plan, listed), true);
  }

  async discard(journalled: JsonValue): Promise<void> {
    const state = stateOf(journalled);
    if (state?.kind === 'multipart') await abortMultipart(this.connection, { bucket: state.bucket, key: state.key, uploadId: state.uploadId });
  }

  close(): void {
    this.connection.close();
  }
}
