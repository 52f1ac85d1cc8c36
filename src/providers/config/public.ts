/** Reading the config document the way the apps do: a plain GET of the public URL, caches and all. */
import { parseDuration } from '../../util/duration.js';
import type { JsonObject } from '../../util/json-path.js';
import { HttpFailure, httpCall, parseJson } from '../http-json.js';
import type { RemoteConfigPort } from './port.js';

export function publicDocument(url: string | undefined, timeout: string | number): RemoteConfigPort['public'] {
  if (!url) return undefined;
  return {
    url,
    timeoutMs: parseDuration(timeout),
    async read(signal) {
      const answer = await httpCall('public config', url, { timeoutMs: 15_000, signal });
      if (answer.status !== 200) throw new HttpFailure(`public config (${url})`, answer.status, answer.text.slice(0, 200));
      const doc = parseJson(`public config (${url})`, answer.text);
      if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new HttpFailure(`public config (${url})`, answer.status, 'not a JSON object');
      return doc as JsonObject;
    },
  };
}
