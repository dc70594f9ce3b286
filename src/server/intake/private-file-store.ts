/**
 * The intake's file store: @tus/file-store, with the files it creates made private. Apart from
 * tus-intake.ts because it is a subclass of a library's class, one concern (permissions) only.
 */
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import type { Upload } from '@tus/utils';
import { makePrivate } from '../private-fs.js';

/** @tus/file-store, with every file it writes (the upload and its .json) made private (0600). */
export class PrivateFileStore extends FileStore {
  override async create(upload: Upload): Promise<Upload> {
    const created = await super.create(upload);
    const path = join(this.directory, upload.id);
    await makePrivate(path);
    await makePrivate(`${path}.json`);
    return created;
  }
}
