/**
 * For configs without ETags: the version is a hash of the content, and a write first reads the
 * document again and refuses if the hash moved (read-verify-write). A write landing between that
 * check and ours can still be lost, which the snapshot's warning says.
 */
import { createHash } from 'node:crypto';
import { VersionMismatchError } from './port.js';

export function contentVersion(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

export function assertUnchanged(ifMatch: string | null, currentText: string, describe: string): void {
  if (ifMatch !== null && ifMatch !== contentVersion(currentText)) throw new VersionMismatchError(`${describe} changed since it was read`);
}
