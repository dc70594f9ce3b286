/**
 * Pre-signed S3 URLs made with `@smithy/signature-v4` directly: the same URLs the SDK's
 * `getSignedUrl` makes (same endpoint, same key encoding, same query, same signed headers — a test
 * compares them), without building and running a command's middleware stack for each one. That
 * stack cost more CPU per part than the rest of the part's path outside hashing, and the presigner
 * package is then not loaded at all.
 *
 * The endpoint of a bucket comes from the SDK's own endpoint rules (once per bucket), the
 * credentials from the client's provider (the standard chain, refreshed by the SDK), and the
 * signing key is cached by the signer per day, so signing a part is two HMACs and a string.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { escapeKey, uriEscape } from './uri.js';


interface BucketEndpoint {
  protocol: string;
  hostname: string;
  port: number | undefined;
  /** '' or '/bucket' (path-style addressing). */
  basePath: string;
  signingRegion: string;
  signingService: string;
}

export interface UrlToSign {
  method: 'GET' | 'PUT';
  bucket: string;
  key: string;
  /** The operation's query, as the SDK's serializer writes it (x-id included). */
  query: Record<string, string>;
  /** Headers to sign and send (lower-case names). */
  headers: Record<string, string>;
  /** Headers that stay headers (signed) instead of moving into the query string. */
  unhoistable?: ReadonlySet<string> | undefined;
}

type Provider<T> = () => Promise<T>;

interface ClientConfigView {
  region: Provider<string>;
  credentials: unknown;
  sha256: unknown;
  forcePathStyle?: boolean;
  useAccelerateEndpoint?: boolean;
  useFipsEndpoint: Provider<boolean>;
  useDualstackEndpoint: Provider<boolean>;
  endpoint?: Provider<{ protocol: string; hostname: string; port?: number; path: string }>;
  endpointProvider: (params: Record<string, unknown>) => { url: URL; properties?: { authSchemes?: { name?: string; signingName?: string; signingRegion?: string }[] } };
}

export class UrlSigner {
  readonly #config: ClientConfigView;
  readonly #signer: SignatureV4;
  readonly #endpoints = new Map<string, Promise<BucketEndpoint>>();

  constructor(client: S3Client) {
    this.#config = client.config as unknown as ClientConfigView;
    this.#signer = new SignatureV4({
      credentials: this.#config.credentials as ConstructorParameters<typeof SignatureV4>[0]['credentials'],
      region: this.#config.region,
      service: 's3',
      sha256: this.#config.sha256 as ConstructorParameters<typeof SignatureV4>[0]['sha256'],
      uriEscapePath: false,
      applyChecksum: false,
    });
  }

  /** A URL valid for `lifetimeSeconds` from `at` (the store's clock). */
  async presign(request: UrlToSign, at: Date, lifetimeSeconds: number): Promise<string> {
    const endpoint = await this.#endpoint(request.bucket);
    const host = endpoint.port === undefined ? endpoint.hostname : `${endpoint.hostname}:${endpoint.port}`;
    const signed = await this.#signer.presign(
      {
        method: request.method,
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        ...(endpoint.port !== undefined && { port: endpoint.port }),
        path: `${endpoint.basePath}/${escapeKey(request.key)}`,
        query: { ...request.query },
        headers: { ...request.headers, host, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' },
      },
      {
        expiresIn: lifetimeSeconds,
        signingDate: at,
        signingRegion: endpoint.signingRegion,
        signingService: endpoint.signingService,
        unsignableHeaders: new Set(['content-type']),
        ...(request.unhoistable !== undefined && { unhoistableHeaders: new Set(request.unhoistable) }),
      },
    );
    const query = Object.entries(signed.query as Record<string, string>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => `${uriEscape(name)}=${uriEscape(value)}`)
      .join('&');
    return `${endpoint.protocol}//${host}${signed.path}?${query}`;
  }

  #endpoint(bucket: string): Promise<BucketEndpoint> {
    let endpoint = this.#endpoints.get(bucket);
    if (endpoint === undefined) {
      endpoint = this.#resolve(bucket);
      endpoint.catch(() => this.#endpoints.delete(bucket));
      this.#endpoints.set(bucket, endpoint);
    }
    return endpoint;
  }

  /** The bucket's endpoint by the SDK's own rules (virtual-hosted or path-style, partitions, FIPS). */
  async #resolve(bucket: string): Promise<BucketEndpoint> {
    const config = this.#config;
    const custom = await config.endpoint?.();
    const region = await config.region();
    const resolved = config.endpointProvider({
      Bucket: bucket,
      Region: region,
      UseFIPS: await config.useFipsEndpoint(),
      UseDualStack: await config.useDualstackEndpoint(),
      ForcePathStyle: config.forcePathStyle ?? false,
      Accelerate: config.useAccelerateEndpoint ?? false,
      ...(custom !== undefined && { Endpoint: `${custom.protocol}//${custom.hostname}${custom.port === undefined ? '' : `:${custom.port}`}${custom.path}` }),
    });
    const scheme = resolved.properties?.authSchemes?.find((s) => s.name === 'sigv4');
    const url = resolved.url;
    return {
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      basePath: url.pathname.replace(/\/+$/, ''),
      signingRegion: scheme?.signingRegion ?? region,
      signingService: scheme?.signingName ?? 's3',
    };
  }
}
