/**
 * What a path holds when a regular file is expected, in words for an error. Shared by both targets:
 * buddy-init refuses to read or replace anything but a regular file (a FIFO would hang it, /dev/zero
 * would never end, and a rename over a device as root would replace the device).
 */
export interface KindProbe {
  isFile(): boolean;
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}

/** undefined for a regular file; else what it is ("a FIFO", "a character device", ...). */
export function notAFile(s: KindProbe): string | undefined {
  if (s.isFile()) return undefined;
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

export const notAFileMessage = (path: string, kind: string, where = ''): string =>
  `${path}${where} is ${kind}, not a regular file: buddy-init does not read or replace it; move it away or point the recipe elsewhere`;

/** Links followed in a row before giving up, as the kernel does (ELOOP). */
export const MAX_LINKS = 40;
