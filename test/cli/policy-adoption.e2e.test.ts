/** `release policy` with adoption data: a real command source and a local HTTP source hold the floor back, then release it. */
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CONFIG_TEMPLATE } from '../../src/playbook/config-template.js';
import { ndjson } from '../helpers/cli.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { testdir } from '../helpers/testdir.js';
import { readWorld } from '../helpers/world.js';

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);
const SHARE_SCRIPT = fileURLToPath(new URL('../fixtures/adoption-share.mjs', import.meta.url));

/** The example app (floor in force 1.3.0, 1.4.2 live) whose 90-day window proposes 1.4.0; 1.3.8 and 1.3.5 lie between. */
const HISTORY = Object.entries({ '1.3.0': 200, '1.3.5': 120, '1.3.8': 100, '1.4.0': 80, '1.4.2': 5 })
  .map(([version, age]) => `    - { version: ${version}, releasedAt: ${daysAgo(age)} }`)
  .join('\n');
const withAdoption = (source: string) => ({ 'release.config.yaml': `${CONFIG_TEMPLATE}\npolicy:\n  adoption: { source: ${source}, maxShareBelow: 5 }\n  history:\n${HISTORY}\n` });

async function policyJson(dir: string): Promise<Record<string, unknown>> {
  const result = await release(['policy', '--json'], { cwd: dir });
  expect(result.code, result.stderr).toBe(0);
  return ndjson(result.stdout)[0]!;
}

/** A share-of-sessions endpoint on 127.0.0.1: GET /below/<version> answers {"share": shares[version] ?? null}; `asked` lists the versions. */
async function shareServer(shares: Record<string, number>, asked: string[] = []): Promise<string> {
  const server = createServer((req, res) => {
    const version = decodeURIComponent(req.url!.replace('/below/', ''));
    asked.push(version);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ share: shares[version] ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('release policy: adoption holds the floor back', () => {
  it('a command source (the candidate floor in RELEASE_VERSION): held back while the tail is large, in text, --json and --markdown; released when it drops', async () => {
    const dir = testdir();
    const sharesFile = join(dir, 'shares.json');
    writeFileSync(join(dir, 'release.config.yaml'), withAdoption(`{ command: [node, ${SHARE_SCRIPT}, ${sharesFile}] }`)['release.config.yaml']);
    writeFileSync(sharesFile, JSON.stringify({ '1.4.0': 12, '1.3.8': 7, '1.3.5': 4 }));

    const text = await release(['policy'], { cwd: dir });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('minimum_version the policy asks for today: 1.4.0');
    expect(text.stdout).toContain('Adoption: 12 % of sessions are below 1.4.0, above 5 %: held back to 1.3.5 (4 % below it); the floor to apply: 1.3.5');
    const md = await release(['policy', '--markdown'], { cwd: dir });
    expect(md.stdout).toContain('the floor to apply is **1.3.5**');
    expect(await policyJson(dir)).toMatchObject({
      minimumVersion: '1.4.0',
      floorToApply: '1.3.5',
      toRaise: ['ios', 'android'],
      adoption: { proposed: '1.4.0', current: '1.3.0', maxShareBelow: 5, held: true, readings: [{ version: '1.4.0', share: 12 }, { version: '1.3.8', share: 7 }, { version: '1.3.5', share: 4 }] },
    });

    writeFileSync(sharesFile, JSON.stringify({ '1.4.0': 3 }));
    expect(await policyJson(dir)).toMatchObject({ floorToApply: '1.4.0', adoption: { held: false, reason: '3 % of sessions are below 1.4.0, within 5 %' } });

    // A source that fails is no data, never zero: the floor is not raised.
    rmSync(sharesFile);
    const failed = await policyJson(dir);
    expect(failed).toMatchObject({ floorToApply: '1.3.0', toRaise: [] });
    expect((failed.adoption as { reason: string }).reason).toMatch(/^no adoption data for 1\.4\.0 \(command node .* could not be read: .*not raised on no evidence$/s);
  });

  it('an HTTP source (`{version}` in its URL) on 127.0.0.1: held back, not raised on no data, then released', async () => {
    const shares: Record<string, number> = { '1.4.0': 12, '1.3.8': 4 };
    const asked: string[] = [];
    const url = await shareServer(shares, asked);
    const dir = testdir(withAdoption(`{ http: "${url}/below/{version}", path: share }`));
    expect(await policyJson(dir)).toMatchObject({ floorToApply: '1.3.8', adoption: { held: true, reason: '12 % of sessions are below 1.4.0, above 5 %: held back to 1.3.8 (4 % below it)' } });
    expect(asked).toEqual(['1.4.0', '1.3.8']); // asked only as far as the decision needs

    delete shares['1.4.0'];
    const none = await policyJson(dir);
    expect(none).toMatchObject({ floorToApply: '1.3.0', toRaise: [], adoption: { held: true } });
    expect((none.adoption as { reason: string }).reason).toMatch(/^no adoption data for 1\.4\.0 .*: the floor stays at 1\.3\.0, not raised on no evidence$/);

    shares['1.4.0'] = 2;
    expect(await policyJson(dir)).toMatchObject({ floorToApply: '1.4.0', adoption: { held: false } });
  });

  it('--apply raises the held-back floor; a rehearsal (its weekly cadence proposes 1.3.5) sets the share with --sandbox-metric sessions_below_floor', async () => {
    const shares: Record<string, number> = { '1.4.0': 12, '1.3.8': 4 };
    const dir = testdir(withAdoption(`{ http: "${await shareServer(shares)}/below/{version}", path: share }`));
    const applied = await release(['policy', '--apply', '--yes'], { cwd: dir });
    expect(applied.code, applied.stderr).toBe(0);
    expect(readWorld(dir).config).toMatchObject({ ios: { minimum_version: '1.3.8' }, android: { minimum_version: '1.3.8' } });

    const unread = withAdoption('{ command: [node, not-read-in-a-rehearsal.mjs] }');
    const held = await release(['policy', '--sandbox', '--apply', '--sandbox-metric', 'sessions_below_floor=12'], { cwd: testdir(unread) });
    expect(held.code, held.stderr).toBe(0);
    expect(held.stderr).toContain('minimum_version is already 1.3.0 or above on every platform: nothing to apply (12 % of sessions are below 1.3.5, above 5 %');
    const sandboxDir = testdir(unread);
    const raised = await release(['policy', '--sandbox', '--apply', '--sandbox-metric', 'sessions_below_floor=3'], { cwd: sandboxDir });
    expect(raised.code, raised.stderr).toBe(0);
    expect(readWorld(sandboxDir).config).toMatchObject({ ios: { minimum_version: '1.3.5' } });
  });
});
