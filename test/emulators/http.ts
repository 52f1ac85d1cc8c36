/**
 * A tiny HTTP server for emulators: routes, a call log, and injected failures (an error reply, or
 * a dropped connection; before the emulated store acts, or after it acted and the answer was
 * lost). Listens on 127.0.0.1 on a free port, started and stopped by the test.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  rawBody: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Drop the connection instead of answering (a reset). */
  reset?: boolean;
}

type Handler = (req: Request, params: string[]) => Reply | Promise<Reply>;

interface Injection {
  method?: string;
  path: RegExp;
  reply: Reply | ((req: Request) => Reply);
  times: number;
  /** The emulated store acts first; only its answer is replaced (the call happened, the client cannot tell). */
  after: boolean;
}

export class TestServer {
  /** Every request, with its status (0: the connection was dropped) and when it arrived. */
  readonly calls: { method: string; path: string; query: string; status: number; at: number }[] = [];
  private readonly routes: { method: string; pattern: RegExp; handler: Handler }[] = [];
  private readonly injections: Injection[] = [];
  private server: Server | undefined;
  /** Runs before every route: authentication, rate limits. A reply stops the request there. */
  before?: (req: Request) => Reply | undefined | Promise<Reply | undefined>;
  /** Headers added to every reply. */
  headers: () => Record<string, string> = () => ({});
  url = '';

  route(method: string, pattern: RegExp, handler: Handler): this {
    this.routes.push({ method, pattern, handler });
    return this;
  }

  /** The next `times` matching requests get this reply instead of the emulated one (with `after`, once the emulated one acted). */
  failNext(path: RegExp, reply: Reply | ((req: Request) => Reply), opts: { method?: string; times?: number; after?: boolean } = {}): void {
    this.injections.push({ path, reply, method: opts.method, times: opts.times ?? 1, after: opts.after ?? false });
  }

  clearFailures(): void {
    this.injections.length = 0;
  }

  count(method: string, path: RegExp): number {
    return this.calls.filter((c) => c.method === method && path.test(c.path)).length;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    let body: unknown = rawBody;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      // form bodies stay raw
    }
    const request: Request = { method: req.method ?? 'GET', path: decodeURIComponent(url.pathname), query: url.searchParams, headers: req.headers, body, rawBody };
    const at = Date.now();
    const reply = await this.dispatch(request);
    this.calls.push({ method: request.method, path: request.path, query: url.search, status: reply.reset ? 0 : reply.status, at });
    if (reply.reset) {
      req.socket.destroy();
      return;
    }
    const headers = { 'content-type': 'application/json', ...this.headers(), ...(reply.headers ?? {}) };
    res.writeHead(reply.status, headers);
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }

  private async dispatch(req: Request): Promise<Reply> {
    const early = await this.before?.(req);
    if (early) return early;
    const injected = this.injections.find((i) => i.times > 0 && i.path.test(req.path) && (!i.method || i.method === req.method));
    if (injected) {
      injected.times -= 1;
      if (injected.after) await this.emulate(req);
      return typeof injected.reply === 'function' ? injected.reply(req) : injected.reply;
    }
    return this.emulate(req);
  }

  private async emulate(req: Request): Promise<Reply> {
    for (const route of this.routes) {
      if (route.method !== req.method) continue;
      const match = route.pattern.exec(req.path);
      if (match) {
        try {
          return await route.handler(req, match.slice(1));
        } catch (err) {
          return { status: 500, body: { error: { message: `emulator bug: ${(err as Error).message}` } } };
        }
      }
    }
    return { status: 404, body: { error: { code: 404, message: `no emulated route for ${req.method} ${req.path}` } } };
  }
}
