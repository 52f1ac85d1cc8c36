/**
 * YAML parsed with positions kept, so every problem — a YAML syntax error, a zod issue, an
 * unknown action — is reported as `file:line:col: field: message`.
 */
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';

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

export class YamlSource {
  private readonly lines = new LineCounter();
  readonly doc: Document;
  readonly syntaxProblems: Problem[];

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    this.syntaxProblems = this.doc.errors.map((e) => {
      const pos = this.lines.linePos(e.pos[0]);
      return { file, line: pos.line, col: pos.col, field: '', message: e.message.split('\n')[0]! };
    });
  }

  data(): unknown {
    return this.doc.toJS();
  }

  /**
   * Locates a field: at its value, or at its key (for a field that should not be there). A missing
   * field is reported at its nearest existing parent.
   */
  problemAt(path: readonly PropertyKey[], message: string, at: 'value' | 'key' = 'value'): Problem {
    let node: unknown = at === 'key' ? this.keyNode(path) : undefined;
    let walk = [...path];
    while (!node && walk.length) {
      const found = this.doc.getIn(walk as unknown[], true);
      if (found && typeof found === 'object' && 'range' in found) node = found;
      else walk = walk.slice(0, -1);
    }
    const range = (node as { range?: [number, number, number] } | undefined)?.range ?? this.doc.contents?.range;
    const pos = this.lines.linePos(range?.[0] ?? 0);
    return { file: this.file, line: pos.line, col: pos.col, field: formatPath(path), message };
  }

  private keyNode(path: readonly PropertyKey[]): unknown {
    const parent = path.length > 1 ? this.doc.getIn(path.slice(0, -1) as unknown[], true) : this.doc.contents;
    if (!isMap(parent)) return undefined;
    return parent.items.find((pair) => isScalar(pair.key) && pair.key.value === path.at(-1))?.key;
  }

  fromZod(error: z.ZodError, prefix: readonly PropertyKey[] = []): Problem[] {
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
