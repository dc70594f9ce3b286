/**
 * startEmulator(): a local Genesys Cloud on one origin (login, API, pre-signed storage, admin).
 * Plain node:http, because the storage route needs raw control of bodies, sockets, resets and
 * stalls.
 */
import { setMaxListeners } from 'node:events';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Clock } from './clock.js';
import { ConversationStore } from './conversations/store.js';
import { dispatch } from './dispatch.js';
import { FaultRegistry } from './faults.js';
import type { RequestContext } from './http/context.js';
import { FixedWindowLimiter } from './rate-limits.js';
import type { FileRecord, GuestRecord, MessageRecord } from './records.js';
import type { Services } from './services.js';
import { applySettingsPatch, parseStartOptions, settingsFromOptions } from './settings.js';
import { UrlSigner } from './signing.js';
import { buildState } from './state-view.js';
import { Stats } from './stats.js';
import { InOrderHashes } from './store/in-order-hash.js';
import { loadOrCreateInstanceKey } from './store/instance-key.js';
import { JsonWriter } from './store/json-writer.js';
import { RecordStore } from './store/records.js';
import { UploadStore } from './store/uploads.js';
import { TokenIssuer } from './tokens.js';
import type { EmulatorHandle, EmulatorSettings, EmulatorSettingsInput, FaultRule, StartEmulatorOptions } from './types.js';
import { handleClientError } from './client-error.js';
import { WebMessaging } from './web-messaging/service.js';
import { S3Store, startS3Listener, type S3Listener } from './s3/index.js';

/** A Host header we are willing to put into a pre-signed URL. */
const HOST_HEADER = /^([A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(:\d{1,5})?$/;

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<EmulatorHandle> {
  const opts = parseStartOptions(options);
  let settings = settingsFromOptions(opts);
  const ownsDir = opts.dataDir === undefined;
  const dataDir = ownsDir ? await mkdtemp(join(tmpdir(), 'genesys-emulator-')) : resolve(opts.dataDir ?? '.');
  const closing = new AbortController();
  // Every request in flight (stalls, bodies being stored) listens for close(): hundreds at once is
  // normal here, not a leak, and each listener is removed when its request ends.
  setMaxListeners(0, closing.signal);
  let server: Server | undefined;
  let s3Listener: S3Listener | undefined;
  try {
    await mkdir(dataDir, { recursive: true });
    const key = await loadOrCreateInstanceKey(dataDir);
    const writer = new JsonWriter();
    const [uploads, files, guests, messages] = await Promise.all([
      UploadStore.open(join(dataDir, 'uploads'), writer),
      RecordStore.open<FileRecord>(join(dataDir, 'files'), writer),
      RecordStore.open<GuestRecord>(join(dataDir, 'guests'), writer),
      RecordStore.open<MessageRecord>(join(dataDir, 'messages'), writer),
    ]);
    const s3Store = await S3Store.open(join(dataDir, 's3'));
    let s3Url = '';
    const conversations = await ConversationStore.open(join(dataDir, 'conversations'), writer, key);
    const faults = new FaultRegistry(opts.seed ?? 1);
    faults.addAll(opts.faults ?? []);
    let baseUrl = '';
    const clock = new Clock();
    const webMessaging = new WebMessaging({
      clock,
      settings: () => settings.webMessaging,
      dir: join(dataDir, 'web-messaging'),
      instanceKey: key,
      persist: !ownsDir,
      writer,
    });
    await webMessaging.load();
    const env: Services = {
      webMessaging,
      clock,
      settings: () => settings,
      setSettings: (next: EmulatorSettings) => {
        settings = next;
      },
      writer,
      uploads,
      wholeHashes: new InOrderHashes((uploadId, segment) => uploads.segmentPath(uploadId, segment), closing.signal),
      files,
      guests,
      messages,
      signer: new UrlSigner(key),
      tokens: new TokenIssuer(key),
      faults,
      apiLimiter: new FixedWindowLimiter(),
      storageLimiter: new FixedWindowLimiter(),
      stats: new Stats(),
      conversations,
      closing: closing.signal,
      origin: (ctx: RequestContext) => {
        const host = ctx.req.headers.host;
        return host !== undefined && HOST_HEADER.test(host) ? `http://${host}` : baseUrl;
      },
      s3: { store: s3Store, url: () => s3Url, seen: { presigned: 0, headerSigned: 0 } },
    };

    const inFlight = new Set<Promise<void>>();
    server = createServer((req, res) => {
      const work = dispatch(req, res, env);
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    });
    server.on('clientError', handleClientError);
    server.on('upgrade', (req, socket, head: Buffer) => {
      if (!webMessaging.handleUpgrade(req, socket, head, baseUrl)) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    const listening = server;
    await new Promise<void>((done, fail) => {
      listening.once('error', fail);
      listening.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
        listening.off('error', fail);
        done();
      });
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    baseUrl = `http://${host}:${address.port}`;
    s3Listener = await startS3Listener({ ...env.s3, env, settings: () => settings.s3 }, opts.host ?? '127.0.0.1', opts.s3Port ?? 0);
    s3Url = s3Listener.url;
    const s3Running = s3Listener;

    let closed: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closed ??= (async () => {
        closing.abort();
        await webMessaging.close();
        listening.close();
        listening.closeAllConnections();
        await Promise.allSettled([...inFlight, s3Running.close()]);
        await writer.flush();
        if (ownsDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return closed;
    };

    return {
      url: baseUrl,
      port: address.port,
      s3Url,
      dataDir,
      state: () => buildState(env),
      settings: () => structuredClone(settings),
      configure: (patch: EmulatorSettingsInput) => {
        settings = applySettingsPatch(settings, patch);
      },
      addFault: (rule: FaultRule) => faults.add(rule),
      clearFaults: () => faults.clear(),
      advanceClock: (ms: number) => {
        env.clock.advance(ms);
      },
      webMessaging: {
        addFault: (rule) => webMessaging.faults.addAll([rule])[0] ?? '',
        clearFaults: () => webMessaging.faults.clear(),
        faults: () => webMessaging.faults.list(),
      },
      close,
    };
  } catch (error) {
    server?.close();
    await s3Listener?.close();
    if (ownsDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
