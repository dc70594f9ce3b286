/**
 * One typed method per PROTOCOL.md {api} endpoint, and nothing else. Each validates the response
 * fields it uses; retries, tokens and rate limits are the transport's business.
 */
import type { Readable } from 'node:stream';
import { InternalError, RejectedError } from '../errors/index.js';
import type { ApiTransport, CallOptions } from './api-transport.js';
import type { RemoteError } from './error-body.js';
import { ShapeError } from './validate.js';
import {
  completeResponse,
  createdMessage,
  fileMetadata,
  guest,
  guestMessages,
  indexDetails,
  initiateResponse,
  message,
  uploadStatus,
  type CompleteResponse,
  type CreatedMessage,
  type FileMetadata,
  type Guest,
  type InitiateResponse,
  type Message,
  type UploadStatus,
} from './schemas.js';

export interface InitiateRequest {
  fileName: string;
  contentType: string;
  totalSize: number;
}

export interface CompleteRequest {
  checksums: string[];
  contentType: string;
}

export interface GuestRequest {
  language: string;
  metadata?: Record<string, unknown>;
}

export interface MessageRequest {
  guestId: string;
  to: string[];
  text: string;
  attachments: Array<{ id: string; name: string }>;
}

export interface ContentOptions extends CallOptions {
  /** A single `Range` header value, e.g. "bytes=0-99". */
  range?: string;
}

function parse<T>(read: (body: unknown) => T, body: unknown, what: string): T {
  try {
    return read(body);
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    throw new InternalError('api.bad_response', `Could not ${what}: the API's answer is not what PROTOCOL.md describes (${error.message}).`);
  }
}

const seg = encodeURIComponent;

/** The error of PROTOCOL.md §5 that lists segments to re-send; `details` is validated to indexes. */
function completeError(status: number, remote: RemoteError): RejectedError | undefined {
  const listing = (status === 400 && remote.code === 'checksum.mismatch') || (status === 409 && remote.code === 'upload.incomplete');
  if (!listing) return undefined;
  const details = indexDetails(remote.details ?? []);
  return new RejectedError(
    remote.code === 'checksum.mismatch' ? 'upload.checksum_mismatch' : 'upload.incomplete',
    remote.code === 'checksum.mismatch'
      ? 'The stored segments do not match the checksums sent with complete.'
      : 'Some segments are missing from the upload.',
    {
      status,
      remoteCode: remote.code,
      ...(remote.contextId !== undefined && { contextId: remote.contextId }),
      details: details ?? [],
    },
  );
}

export class GenesysApi {
  constructor(readonly transport: ApiTransport) {}

  async initiate(request: InitiateRequest, options?: CallOptions): Promise<InitiateResponse> {
    const what = 'initiate the upload';
    const { body } = await this.transport.json(
      {
        what,
        method: 'POST',
        path: '/api/v2/files/uploads',
        json: request,
        idempotency: 'unsafe',
        ok: [201],
        context: { fileSize: request.totalSize, contentType: request.contentType },
      },
      options,
    );
    return parse(initiateResponse, body, what);
  }

  async status(uploadId: string, options?: CallOptions): Promise<UploadStatus> {
    const what = 'read the upload status';
    // A status lists every stored segment: allow ~100 bytes per segment of a 1,000,000-chunk upload.
    const { body } = await this.transport.json(
      { what, method: 'GET', path: `/api/v2/files/uploads/${seg(uploadId)}`, idempotency: 'idempotent', ok: [200], maxBytes: 128 * 1024 * 1024 },
      options,
    );
    return parse(uploadStatus, body, what);
  }

  async abort(uploadId: string, options?: CallOptions): Promise<void> {
    await this.transport.json(
      { what: 'abort the upload', method: 'DELETE', path: `/api/v2/files/uploads/${seg(uploadId)}`, idempotency: 'idempotent', ok: [204] },
      options,
    );
  }

  /** Idempotent per PROTOCOL.md §5, so a lost response may be retried. */
  async complete(uploadId: string, request: CompleteRequest, options?: CallOptions): Promise<CompleteResponse> {
    const what = 'complete the upload';
    const { body } = await this.transport.json(
      {
        what,
        method: 'POST',
        path: `/api/v2/files/uploads/${seg(uploadId)}/complete`,
        json: request,
        idempotency: 'idempotent',
        ok: [200],
        context: { contentType: request.contentType },
        mapError: completeError,
      },
      options,
    );
    return parse(completeResponse, body, what);
  }

  async getFile(fileId: string, options?: CallOptions): Promise<FileMetadata> {
    const what = 'read the file metadata';
    const { body } = await this.transport.json(
      { what, method: 'GET', path: `/api/v2/files/${seg(fileId)}`, idempotency: 'idempotent', ok: [200], maxBytes: 128 * 1024 * 1024 },
      options,
    );
    return parse(fileMetadata, body, what);
  }

  /** The file's bytes as a stream (200, or 206 for a satisfiable `range`). Consume or destroy it. */
  async fileContent(fileId: string, options: ContentOptions = {}): Promise<Readable> {
    const { body } = await this.transport.stream(
      {
        what: 'download the file',
        method: 'GET',
        path: `/api/v2/files/${seg(fileId)}/content`,
        idempotency: 'idempotent',
        ok: [200, 206],
        headers: { accept: '*/*', ...(options.range !== undefined && { range: options.range }) },
      },
      options,
    );
    return body;
  }

  async createGuest(request: GuestRequest, options?: CallOptions): Promise<Guest> {
    const what = 'create the messaging guest';
    const { body } = await this.transport.json(
      { what, method: 'POST', path: '/api/v2/conversations/messaging/guests', json: request, idempotency: 'unsafe', ok: [201] },
      options,
    );
    return parse(guest, body, what);
  }

  async sendMessage(request: MessageRequest, options?: CallOptions): Promise<CreatedMessage> {
    const what = 'send the message';
    const { body } = await this.transport.json(
      { what, method: 'POST', path: '/api/v2/conversations/messaging/messages', json: request, idempotency: 'unsafe', ok: [201] },
      options,
    );
    return parse(createdMessage, body, what);
  }

  async getMessage(messageId: string, options?: CallOptions): Promise<Message> {
    const what = 'read the message';
    const { body } = await this.transport.json(
      { what, method: 'GET', path: `/api/v2/conversations/messaging/messages/${seg(messageId)}`, idempotency: 'idempotent', ok: [200] },
      options,
    );
    return parse(message, body, what);
  }

  /** The guest's messages, newest first: how a lost answer to sendMessage is settled. */
  async listGuestMessages(guestId: string, options?: CallOptions): Promise<Message[]> {
    const what = "list the guest's messages";
    const { body } = await this.transport.json(
      { what, method: 'GET', path: `/api/v2/conversations/messaging/guests/${seg(guestId)}/messages`, idempotency: 'idempotent', ok: [200] },
      options,
    );
    return parse(guestMessages, body, what);
  }
}
