/**
 * The launcher (bin/release.cjs) and the bundle load every module of the CLI with require(), so
 * Node links them synchronously instead of through its asynchronous module loader (the launcher
 * says why). What a reader of the built files and a Node that refuses require(esm) see.
 */
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv } from '../helpers/cli.js';

const BUNDLE = fileURLToPath(new URL('../../dist/bundle/', import.meta.url));

describe('the launcher and the bundle load the CLI with require()', () => {
  it('no chunk takes a sibling chunk with import(): each is required (packages outside the bundle keep import())', () => {
    const chunks = readdirSync(BUNDLE).filter((f) => f.endsWith('.js'));
    const code = chunks.map((f) => readFileSync(join(BUNDLE, f), 'utf8'));
    expect(code.flatMap((text, i) => (/\bimport\("\.\//.test(text) ? [chunks[i]] : []))).toEqual([]);
    // Not vacuous: the commands are still lazy chunks, and the SDKs still dynamic imports.
    expect(code.join('\n').match(/require\("\.\/[\w-]+\.js"\)/g)?.length).toBeGreaterThan(20);
    expect(code.join('\n')).toContain('import("@googleapis/androidpublisher")');
  });

  it('a Node that refuses require() of an ES module gets exit 1 and the Node versions that can run it', async () => {
    const result = await execa('node', ['--no-experimental-require-module', BIN, '--version'], { env: cliEnv(), extendEnv: false, reject: false, stdin: 'ignore' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^release needs Node 20\.19\+ or 22\.12\+ \(this is v\d+\.\d+\.\d+\)/);
  });
});
