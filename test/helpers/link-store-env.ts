/**
 * The environment that points the CLI's link store at an emulator's S3 endpoint with its demo
 * credentials (5 MiB parts, so a few MiB make a multipart upload). `location` is omitted when
 * the test passes --link-store itself.
 */
import { DEMO_S3_CREDENTIAL } from '../../src/emulator/s3/index.js';

export function linkStoreEnv(s3Url: string, location?: string): Record<string, string> {
  return {
    ...(location !== undefined && { GENESYS_UPLOAD_S3: location }),
    GENESYS_UPLOAD_S3_ENDPOINT: s3Url,
    GENESYS_UPLOAD_S3_PART_SIZE: '5MiB',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: DEMO_S3_CREDENTIAL.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DEMO_S3_CREDENTIAL.secretAccessKey,
  };
}
