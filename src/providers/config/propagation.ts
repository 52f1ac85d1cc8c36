/**
 * The propagation barrier: after a write, the document the apps read (often through a CDN with a
 * TTL) must show our values before anything that relies on them happens — above all, before the
 * breaking backend deploys while old apps could still miss the maintenance wall.
 */
import { pollUntil } from '../../util/poll.js';
import { changeState, type KeyChange } from './compare-and-set.js';
import type { RemoteConfigPort } from './port.js';

export async function awaitPropagation(
  port: RemoteConfigPort,
  changes: KeyChange[],
  opts: { signal?: AbortSignal; progress?: (message: string) => void },
): Promise<number | undefined> {
  const pub = port.public;
  if (!pub || !changes.length) return undefined;
  const started = Date.now();
  await pollUntil({
    what: `${pub.url} to show the new values`,
    intervalMs: 500,
    maxIntervalMs: 5000,
    timeoutMs: pub.timeoutMs,
    signal: opts.signal,
    progress: (m) => opts.progress?.(`public config (${pub.url}): ${m}`),
    check: async () => {
      const doc = await pub.read(opts.signal);
      const state = changeState(doc, changes);
      return state === 'applied' ? { done: true, value: undefined } : { done: false, state: `still serves the ${state === 'absent' ? 'old' : 'partly old'} values` };
    },
  });
  return Date.now() - started;
}

/** Do the apps already see these values? (For `verify` after a crash during the wait.) */
export async function publicShows(port: RemoteConfigPort, changes: KeyChange[], signal?: AbortSignal): Promise<boolean> {
  if (!port.public || !changes.length) return true;
  return changeState(await port.public.read(signal), changes) === 'applied';
}
