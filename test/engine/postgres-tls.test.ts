/**
 * TLS to the state database, against a real PostgreSQL serving a certificate from a CA made for
 * this file (openssl): the URL's sslmode as libpq means it, and `state.tls` on top of it.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, copyFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresBackend } from '../../src/engine/backends/postgres/backend.js';
import { Connection } from '../../src/engine/backends/postgres/connection.js';
import type { PostgresOptions } from '../../src/engine/backends/postgres/options.js';
import type { StateBackend } from '../../src/engine/state-backend.js';
import { ReleaseError } from '../../src/errors.js';
import { release } from '../helpers/cli.js';
import { usePostgres } from '../helpers/postgres.js';
import { testdir } from '../helpers/testdir.js';

let caFile = '';

const server = usePostgres({
  flags(base) {
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: base, stdio: 'pipe' });
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=release test CA', '-keyout', 'ca.key', '-out', 'ca.pem');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
    writeFileSync(join(base, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'server.pem');
    caFile = join(base, 'ca.pem');
    // The server refuses a key others can read, and runs as `postgres` when we are root.
    if (userInfo().uid === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      for (const f of ['server.key', 'server.pem']) chownSync(join(base, f), uid, gid);
    }
    execFileSync('chmod', ['600', join(base, 'server.key')]);
    return ['-c', 'ssl=on', '-c', `ssl_cert_file=${join(base, 'server.pem')}`, '-c', `ssl_key_file=${join(base, 'server.key')}`];
  },
});

const opened: StateBackend[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
});

/** Whether the connection these options make is encrypted, as the server sees it. */
async function encrypted(options: PostgresOptions): Promise<boolean> {
  const db = new Connection(options);
  try {
    const result = await db.probe((query) => query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'));
    return result.rows[0].ssl as boolean;
  } finally {
    await db.close();
  }
}

async function open(options: PostgresOptions): Promise<StateBackend> {
  const backend = await openPostgresBackend(options);
  opened.push(backend);
  return backend;
}

describe('postgres state backend over TLS', () => {
  it('sslmode=require encrypts without checking the certificate; disable does not encrypt', async () => {
    const url = await server.freshDatabase();
    expect(await encrypted({ url: `${url}?sslmode=require` })).toBe(true);
    expect(await encrypted({ url: `${url}?sslmode=disable` })).toBe(false);
    expect(await (await open({ url: `${url}?sslmode=require` })).runIds()).toEqual([]);
  });

  it('sslmode=verify-full checks the certificate: refused without the CA (a clear message), accepted with state.tls.caFile', async () => {
    const url = `${await server.freshDatabase()}?sslmode=verify-full`;
    const refused = await openPostgresBackend({ url }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ReleaseError);
    expect((refused as ReleaseError).message).toMatch(/presented a TLS certificate this machine does not trust/);
    expect((refused as ReleaseError).hint).toContain('state.tls.caFile');
    expect(await encrypted({ url, tls: { caFile } })).toBe(true);
    expect(await (await open({ url, tls: { caFile } })).runIds()).toEqual([]);
  });

  it('state.tls without an sslmode means TLS: a CA verifies, rejectUnauthorized: false accepts any certificate', async () => {
    const url = await server.freshDatabase();
    expect(await encrypted({ url, tls: { caFile } })).toBe(true);
    expect(await encrypted({ url, tls: { rejectUnauthorized: false } })).toBe(true);
  });

  it('the CLI: state.tls.caFile in release.config.yaml is read relative to it', async () => {
    const url = `${await server.freshDatabase()}?sslmode=verify-full`;
    const cwd = testdir({
      'release.config.yaml': 'app: { name: Shop, version: 2.0.0, ios: { bundleId: com.example.shop } }\nstate: { backend: postgres, url: { env: SHOP_DB }, tls: { caFile: ./certs/ca.pem } }\n',
      'certs/.keep': '',
      'app/.keep': '',
    });
    copyFileSync(caFile, join(cwd, 'certs', 'ca.pem'));
    const migrated = await release(['state', 'migrate'], { cwd: join(cwd, 'app'), env: { SHOP_DB: url } });
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stderr).toContain('schema version 0 -> 1');
  });
});
