/**
 * Masking secret values in text as `***`, whatever they hold (quotes, backslashes, newlines, any
 * unicode) and whatever their length. The rule:
 *
 * - A secret of 4 characters or more is masked wherever it occurs.
 * - A secret of 1 to 3 characters is also a word, a number or a flag in unrelated text, so it is
 *   masked only where it stands as a whole value or token:
 *     - a whole line (or the whole text), spaces around it aside: `q7Z`; in text someone JSON-encoded
 *       (a journal line quoted in an error) a line ends at a `\n` escape or the string's quote;
 *     - right after `=`, `: ` (a colon and a space) or a quote, up to a space, a quote, the end of
 *       the line, one of `, ; & ) ] }`, or a backslash (where an escape starts):
 *       `PIN=q7Z`, `pin: q7Z`, `"q7Z"`, `?pin=q7Z&x=1`.
 *   Not in `aq7Zb`, `the q7Z value`, `1.4.2` or `"attempt":1` (a JSON number stays valid JSON).
 *   A header or env value built around it (`Bearer q7Z`) is a secret of its own (see adapters.ts).
 * - Each secret is also looked for as JSON writes it inside a string (`"` as `\"`, `\` as `\\`, a
 *   newline as `\n`): text someone encoded before it reached a sink is masked too.
 */
export type Redact = (text: string) => string;

export const MASK = '***';

/** Shorter secrets are masked only as whole tokens. */
const WHOLE_TOKENS_BELOW = 4;

const LINE_START = `(?:^|\\\\n)[ \\t]*`;
const LINE_END = `[ \\t]*(?:$|\\r|\\\\[nr]|\\\\?")`;
const BEFORE_TOKEN = `(?:=|:[ \\t]|["'\`])[ \\t]*`;
const AFTER_TOKEN = `$|[\\s"'\`,;&)\\]}\\\\]`;

/** The values each redactor masks, for places that must name them to hide them (`::add-mask::`). */
const maskedBy = new WeakMap<Redact, readonly string[]>();

export function secretsOf(redact: Redact): readonly string[] {
  return maskedBy.get(redact) ?? [];
}

export function redactor(secrets: Iterable<string>): Redact {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  const redact = masking(forms);
  maskedBy.set(redact, [...forms]);
  return redact;
}

function masking(forms: Set<string>): Redact {
  const longestFirst = (a: string, b: string) => b.length - a.length;
  const anywhere = [...forms].filter((s) => [...s].length >= WHOLE_TOKENS_BELOW).sort(longestFirst);
  const short = [...forms].filter((s) => [...s].length < WHOLE_TOKENS_BELOW).sort(longestFirst);
  const tokens = short.length ? wholeTokens(short) : undefined;
  if (!anywhere.length && !tokens) return (text) => text;
  return (text) => {
    let out = text;
    for (const secret of anywhere) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return tokens ? out.replace(tokens, MASK) : out;
  };
}

function wholeTokens(secrets: string[]): RegExp {
  const alternatives = `(?:${secrets.map(escapeRegExp).join('|')})`;
  const line = `(?<=${LINE_START})${alternatives}(?=${LINE_END})`;
  const token = `(?<=${BEFORE_TOKEN})${alternatives}(?=${AFTER_TOKEN})`;
  return new RegExp(`${line}|${token}`, 'gm');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
