/**
 * One HTTP exchange with a JSON endpoint (the remote config, a health URL, a webhook), with a
 * timeout that also honours Ctrl-C, and failures worded for people: what was called, what came back.
 */
export class HttpFailure extends Error {
  constructor(
    readonly what: string,
    readonly status: number | undefined,
    detail: string,
  ) {
    super(`${what}: ${status === undefined ? detail : `HTTP ${status}${detail ? ` — ${detail}` : ''}`}`);
    this.name = 'HttpFailure';
  }
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export async function httpCall(
  what: string,
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs: number; signal?: AbortSignal },
): Promise<HttpAnswer> {
  const signals = [AbortSignal.timeout(opts.timeoutMs), ...(opts.signal ? [opts.signal] : [])];
  let response: Response;
  try {
    response = await fetch(url, { method: opts.method ?? 'GET', headers: opts.headers, body: opts.body, signal: AbortSignal.any(signals) });
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : cause?.code ?? cause?.message ?? (err as Error).message;
    throw new HttpFailure(`${what} (${url})`, undefined, reason);
  }
  return { status: response.status, headers: response.headers, text: await response.text() };
}

export function parseJson(what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpFailure(what, undefined, `the answer is not JSON: ${text.slice(0, 120)}`);
  }
}
