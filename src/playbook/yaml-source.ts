/**
 * YAML parsed with positions kept, so every problem — a YAML syntax error, a zod issue, an
 * unknown action — is reported as `file:line:col: field: message`.
 */
import type { Document, LineCounter } from 'yaml';
import type { core } from 'zod/mini';
import { shippedText } from './shipped-texts.js';
import { yaml } from '../util/yaml.js';

export interface Problem {
  file: string;
  line: number;
  col: number;
  /** The field, as `steps[3].uses`. */
  field: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

export { PARSED_BUILTINS } from './shipped-texts.js';

export class YamlSource {
  private parsed?: { doc: Document; lines: LineCounter };
  /** What this exact text parses to, when it is one of the shipped files (known to parse cleanly). */
  private readonly known: string | undefined;
  readonly syntaxProblems: Problem[];

  constructor(
    readonly file: string,
    private readonly text: string,
  ) {
    this.known = shippedText(text)?.json;
    if (this.known !== undefined) {
      this.syntaxProblems = [];
      return;
    }
    const { doc, lines } = this.parse();
    this.syntaxProblems = doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      return { file, line: pos.line, col: pos.col, field: '', message: e.message.split('\n')[0]! };
    });
  }

  /** The document with positions: parsed on first use (for a shipped text, only to place a problem). */
  private parse(): { doc: Document; lines: LineCounter } {
    if (!this.parsed) {
      const { LineCounter, parseDocument } = yaml();
      const lines = new LineCounter();
      this.parsed = { doc: parseDocument(this.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true }), lines };
    }
    return this.parsed;
  }

  data(): unknown {
    return this.known !== undefined ? JSON.parse(this.known) : this.parse().doc.toJS();
  }

  /**
   * Locates a field: at its value, or at its key (for a field that should not be there). A missing
   * field is reported at its nearest existing parent.
   */
  problemAt(path: readonly PropertyKey[], message: string, at: 'value' | 'key' = 'value'): Problem {
    const { doc, lines } = this.parse();
    let node: unknown = at === 'key' ? this.keyNode(path) : undefined;
    let walk = [...path];
    while (!node && walk.length) {
      const found = doc.getIn(walk as unknown[], true);
      if (found && typeof found === 'object' && 'range' in found) node = found;
      else walk = walk.slice(0, -1);
    }
    const range = (node as { range?: [number, number, number] } | undefined)?.range ?? doc.contents?.range;
    const pos = lines.linePos(range?.[0] ?? 0);
    return { file: this.file, line: pos.line, col: pos.col, field: formatPath(path), message };
  }

  private keyNode(path: readonly PropertyKey[]): unknown {
    const { isMap, isScalar } = yaml();
    const { doc } = this.parse();
    const parent = path.length > 1 ? doc.getIn(path.slice(0, -1) as unknown[], true) : doc.contents;
    if (!isMap(parent)) return undefined;
    return parent.items.find((pair) => isScalar(pair.key) && pair.key.value === path.at(-1))?.key;
  }

  fromZod(error: core.$ZodError, prefix: readonly PropertyKey[] = []): Problem[] {
    return error.issues.flatMap((issue) => {
      const path = [...prefix, ...(issue.path as PropertyKey[])];
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => this.problemAt([...path, key], `unknown field "${key}"`, 'key'));
      }
      return [this.problemAt(path, issue.message)];
    });
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), '');
}
