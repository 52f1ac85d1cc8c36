/**
 * The secrets a process has learned, applied to everything it writes. A command learns them as
 * soon as it has a release config (adapters.ts `redactedIO`); from then on its output, and an
 * error that escapes it (exit.ts), is masked. The streams mask the text they are given; code
 * that encodes (JSON) masks the values first, so an escaped `\"` cannot hide a secret.
 */
import { secretsOf, type Redact } from '../providers/redactor.js';
import { mapStrings } from '../util/map-strings.js';
import type { TextSink } from './io.js';

export class SecretMask {
  private readonly redactors: Redact[] = [];
  private readonly listeners: ((secrets: readonly string[]) => void)[] = [];

  learn(redact: Redact): void {
    if (this.redactors.includes(redact)) return;
    this.redactors.push(redact);
    for (const listener of this.listeners) listener(secretsOf(redact));
  }

  /** Told the values of every secret learned, those learned so far first (GitHub's `::add-mask::`). */
  onLearn(listener: (secrets: readonly string[]) => void): void {
    this.listeners.push(listener);
    for (const redact of this.redactors) listener(secretsOf(redact));
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
