/**
 * Atomic file replacement on the machine this code runs on: a temp file in the same directory (so the
 * rename never crosses a filesystem), mode set before the rename, fsync, then rename. A reader sees the
 * old file or the new one, never half of one. Shared by the laptop side and the bundled runtime.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync, fchmodSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * `stillValid`, when given, is asked right before the rename (after the slow part: writing and syncing
 * the temp file); false leaves the file alone and returns false.
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, mode: number, stillValid?: () => boolean): boolean {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', mode);
  try {
    fchmodSync(fd, mode); // the umask narrowed the mode given to open
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
    fsyncSync(fd);
    closeSync(fd);
    if (stillValid && !stillValid()) {
      unlinkSync(temp);
      return false;
    }
    renameSync(temp, path);
    return true;
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    try {
      unlinkSync(temp);
    } catch {
      /* never created or already renamed */
    }
    throw err;
  }
}
