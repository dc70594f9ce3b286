/**
 * Our pre-signed URLs (SignatureV4 directly) are exactly the SDK presigner's: same endpoint and
 * addressing, same key escaping, same query, same signed headers, same signature — for part PUTs,
 * single PUTs and download links, on AWS (virtual-hosted and path-style buckets, another
 * partition, session tokens) and on an S3-compatible endpoint.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { GetObjectCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { contentDisposition } from '../../../src/destinations/s3/checksums.js';
import { signGetObject, signPutObject, signUploadPart } from '../../../src/destinations/s3/presign.js';
import { UrlSigner } from '../../../src/destinations/s3/signer.js';

const AT = new Date('2026-12-01T09:00:00Z');
const KEY = "prefix/0123456789abcdef/claim (v2) 'final'*! é 文件.tar.gz";
const CHECKSUM = { hex: 'ab'.repeat(32), base64: Buffer.from('ab'.repeat(32), 'hex').toString('base64') };

// As the store makes its client (client.ts): no SDK-added checksums.
const SAME = { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } as const;
const clients: Record<string, S3Client> = {
  'endpoint, path-style': new S3Client({ ...SAME, region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } }),
  'AWS eu-west-1, session token': new S3Client({ ...SAME, region: 'eu-west-1', credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token/+=' } }),
  'AWS China partition': new S3Client({ ...SAME, region: 'cn-north-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } }),
};

after(() => Object.values(clients).forEach((client) => client.destroy()));

for (const [name, client] of Object.entries(clients)) {
  for (const bucket of ['genesys-uploads', 'dotted.bucket.name']) {
    test(`${name}, bucket ${bucket}: the same URLs as getSignedUrl`, async () => {
      const signer = new UrlSigner(client);
      const target = { bucket, key: KEY, uploadId: 'upload+id/with=odd~chars' };

      const part = await signUploadPart(signer, target, 17, CHECKSUM.base64, AT, 900);
      const sdkPart = await getSignedUrl(client, new UploadPartCommand({ Bucket: bucket, Key: KEY, UploadId: target.uploadId, PartNumber: 17, ChecksumSHA256: CHECKSUM.base64 }), {
        expiresIn: 900,
        signingDate: AT,
        unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
      });
      assert.equal(part.url, sdkPart);
      assert.deepEqual(part.headers, { 'x-amz-checksum-sha256': CHECKSUM.base64 });

      const put = await signPutObject(signer, { bucket, key: KEY, fileName: 'claim (v2).tar.gz', contentType: 'application/gzip' }, CHECKSUM, AT, 3600);
      const sdkPut = await getSignedUrl(
        client,
        new PutObjectCommand({
          Bucket: bucket,
          Key: KEY,
          ChecksumSHA256: CHECKSUM.base64,
          ContentType: 'application/gzip',
          ContentDisposition: contentDisposition('claim (v2).tar.gz'),
          Metadata: { sha256: CHECKSUM.hex },
        }),
        { expiresIn: 3600, signingDate: AT, unhoistableHeaders: new Set(['x-amz-checksum-sha256', 'x-amz-meta-sha256']) },
      );
      assert.equal(put.url, sdkPut);
      assert.equal(put.headers['content-type'], 'application/gzip');

      const link = await signGetObject(signer, bucket, KEY, AT, 7 * 24 * 3600);
      const sdkLink = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: KEY }), {
        expiresIn: 7 * 24 * 3600,
        signingDate: AT,
      });
      assert.equal(link, sdkLink);
    });
  }
}
