/**
 * `${NAME}` in header values and URLs comes from the environment, so a config can say
 * `Authorization: "Bearer ${CONFIG_TOKEN}"` without holding the token. Expanded values are secrets.
 */
export class MissingEnv extends Error {
  constructor(name: string, where: string) {
    super(`${where}: env var ${name} is not set (it is referenced as \${${name}})`);
    this.name = 'MissingEnv';
  }
}

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function envNamesIn(text: string): string[] {
  return [...text.matchAll(REF)].map((m) => m[1]!);
}

export function expandEnv(text: string, env: NodeJS.ProcessEnv, where: string): string {
  return text.replace(REF, (_, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') throw new MissingEnv(name, where);
    return value;
  });
}

export function expandHeaders(headers: Record<string, string>, env: NodeJS.ProcessEnv, where: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, expandEnv(v, env, `${where} header ${k}`)]));
}
