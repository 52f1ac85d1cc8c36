/**
 * The secrets a process has learned, applied to everything it writes. A command learns them as
 * soon as it has a release config (adapters.ts `redactedIO`); from then on its output, and an
 * error that escapes it (exit.ts), is masked. The streams mask the text they are given; code
 * that encodes (JSON) masks the values first, so an escaped `\"` cannot hide a secret.
 */
import type { Redact } from '../providers/redactor.js';
import { mapStrings } from '../util/map-strings.js';
import type { TextSink } from './io.js';

export class SecretMask {
  private readonly redactors: Redact[] = [];

  learn(redact: Redact): void {
    if (!this.redactors.includes(redact)) this.redactors.push(redact);
  }

  readonly text: Redact = (text) => this.redactors.reduce((out, redact) => redact(out), text);

  /** Every string inside a JSON-like value, before it is encoded. */
  values<T>(value: T): T {
    return this.redactors.length ? mapStrings(value, this.text) : value;
  }

  sink(sink: TextSink): TextSink {
    return { write: (text: string) => sink.write(this.text(text)) };
  }
}
