/**
 * Public shapes of the emulator's S3-compatible endpoint: its settings (the `s3` key of
 * EmulatorSettings) and its part of the state view (the `s3` key of EmulatorState).
 */

export interface S3Credential {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface S3Settings {
  /** The region requests must be signed for (credential scope). Default `us-east-1`. */
  region: string;
  /** Bucket names that exist. Default `['genesys-uploads']`. Removing one hides its objects. */
  buckets: string[];
  /** Buckets whose objects anyone may GET/HEAD without a signature (a bucket behind a public base URL). Default none. */
  publicReadBuckets: string[];
  /** Access keys accepted. Default: the documented demo key (DEMO_S3_CREDENTIAL). */
  credentials: S3Credential[];
  /**
   * `aws`: S3 with flexible checksums (default). `rgw16`: an older S3-compatible store (Ceph RGW 16):
   * x-amz-checksum-sha256 accepted but neither verified nor returned, no composite checksum, an
   * empty ETag from CompleteMultipartUpload, ListParts on a finished upload answers NoSuchKey.
   */
  flavor: 'aws' | 'rgw16';
}

/** The demo key pair that works with no configuration (documented in docs/emulator-s3.md). */
export const DEMO_S3_CREDENTIAL: Readonly<S3Credential> = Object.freeze({
  accessKeyId: 'GENESYSEMULATORDEMO0',
  secretAccessKey: 'genesys-emulator-demo-s3-secret-key-0000',
});

export const DEFAULT_S3_BUCKET = 'genesys-uploads';

export interface S3ObjectView {
  key: string;
  size: number;
  /** SHA-256 (hex) of the bytes as stored (after a corrupt fault, of the damaged copy). */
  sha256: string;
  etag: string;
  /** `base64` (PutObject) or `base64-N` (multipart composite); absent when none was asked for. */
  checksumSHA256?: string;
  checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
  contentType: string;
  contentDisposition?: string;
  metadata: Record<string, string>;
  lastModified: string;
  /** Number of parts for a multipart object. */
  parts?: number;
}

export interface S3UploadView {
  bucket: string;
  key: string;
  uploadId: string;
  initiated: string;
  checksumAlgorithm?: 'SHA256';
  contentType: string;
  contentDisposition?: string;
  metadata: Record<string, string>;
  parts: Array<{ partNumber: number; size: number; etag: string; checksumSHA256?: string; sha256: string }>;
}

export interface S3StateView {
  /** `http://HOST:PORT` of the S3 listener. */
  url: string;
  region: string;
  buckets: Array<{ name: string; objects: S3ObjectView[] }>;
  /** Open (neither completed nor aborted) multipart uploads. */
  uploads: S3UploadView[];
  /** Pre-signed requests seen, and header-signed ones (for tests that check which path a client used). */
  presignedRequests: number;
  headerSignedRequests: number;
}
