/** A backend for deploy tests: /health serves the version, /admin/version is what deploy scripts set. */
import { TestServer } from './http.js';

export class BackendServer {
  readonly server = new TestServer();
  readonly deploys: { at: number; version: string; via: string }[] = [];

  constructor(public version: string) {
    this.server.route('GET', /^\/health$/, () => ({ status: 200, body: { status: 'ok', build: { version: this.version } } }));
    this.server.route('GET', /^\/(v1|v2)\/health$/, () => ({ status: 200, body: { status: 'ok' } }));
    this.server.route('POST', /^\/admin\/version$/, (req) => {
      const { version, via } = req.body as { version: string; via: string };
      this.version = version;
      this.deploys.push({ at: Date.now(), version, via });
      return { status: 200, body: { version } };
    });
  }

  get healthUrl(): string {
    return `${this.server.url}/health`;
  }

  start(): Promise<string> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}
