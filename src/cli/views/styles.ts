/**
 * The text styles the views use. Without colour (a pipe, CI, NO_COLOR) each is the text as it
 * is, and chalk is not loaded: a reading command printing to a pipe never pays for it.
 */
type Style = (text: string) => string;

export interface Styles {
  bold: Style;
  dim: Style;
  red: Style;
  green: Style;
  yellow: Style;
  cyan: Style;
  blue: Style;
}

const same: Style = (text) => text;

/** What chalk at level 0 prints: the text unchanged. */
export const PLAIN: Styles = { bold: same, dim: same, red: same, green: same, yellow: same, cyan: same, blue: same };

/** Basic ANSI colours (chalk level 1) when `color`, else plain text. */
export async function stylesFor(color: boolean): Promise<Styles> {
  if (!color) return PLAIN;
  const { Chalk } = await import('chalk');
  return new Chalk({ level: 1 });
}
