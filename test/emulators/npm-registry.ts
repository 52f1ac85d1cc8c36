/**
 * A read-only npm registry on 127.0.0.1 that serves exactly the packages package-lock.json pins,
 * their tarballs read out of the local npm cache (where `npm ci` left them). `npm install -g` of
 * the packed tool then runs without the internet and gets the versions the suite tested. (The
 * cache alone cannot do it offline: installing a tarball resolves its dependencies from full
 * packuments, which `npm ci` never fetches.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import semver from 'semver';

/** The lockfile fields a registry manifest carries, so npm resolves from it alone. */
const MANIFEST_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'peerDependenciesMeta', 'bin', 'engines', 'os', 'cpu', 'hasInstallScript', 'license'] as const;

interface LockEntry {
  version?: string;
  integrity?: string;
  link?: boolean;
  [field: string]: unknown;
}

export interface NpmRegistry {
  url: string;
  /** Tarballs served, by package name and version. */
  readonly served: string[];
  stop(): Promise<void>;
}

/** Where cacache keeps a content blob: content-v2/<algorithm>/<hex[0..2]>/<hex[2..4]>/<hex[4..]>. */
function cachedContent(npmCache: string, integrity: string): string {
  const [algorithm, base64] = integrity.split(' ')[0]!.split('-', 2) as [string, string];
  const hex = Buffer.from(base64, 'base64').toString('hex');
  return join(npmCache, '_cacache', 'content-v2', algorithm, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
}

/** `node_modules/a/node_modules/@s/b` -> `@s/b`. */
function nameOf(lockPath: string): string {
  return lockPath.slice(lockPath.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

export async function startNpmRegistry(opts: { lockfile: string; npmCache: string }): Promise<NpmRegistry> {
  const lock = JSON.parse(readFileSync(opts.lockfile, 'utf8')) as { packages: Record<string, LockEntry> };
  const packuments = new Map<string, { name: string; versions: Record<string, Record<string, unknown>> }>();
  const tarballs = new Map<string, string>();
  let url = '';

  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.includes('node_modules/') || entry.link || !entry.version || !entry.integrity) continue;
    const name = nameOf(path);
    const file = `${name.replace('/', '__')}-${entry.version}.tgz`;
    const manifest: Record<string, unknown> = { name, version: entry.version };
    for (const field of MANIFEST_FIELDS) if (entry[field] !== undefined) manifest[field] = entry[field];
    manifest.dist = { integrity: entry.integrity, tarballPath: `/-/${file}` };
    const packument = packuments.get(name) ?? { name, versions: {} };
    packument.versions[entry.version] = manifest;
    packuments.set(name, packument);
    tarballs.set(`/-/${file}`, cachedContent(opts.npmCache, entry.integrity));
  }

  const served: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://registry').pathname);
    const blob = tarballs.get(path);
    if (blob) {
      if (!existsSync(blob)) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `${path} is not in the npm cache: run npm ci first` }));
        return;
      }
      served.push(path.slice(3));
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(blob));
      return;
    }
    const packument = packuments.get(path.slice(1));
    if (!packument) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `${path.slice(1)} is not in package-lock.json` }));
      return;
    }
    const versions = Object.fromEntries(
      Object.entries(packument.versions).map(([version, { dist, ...manifest }]) => {
        const { integrity, tarballPath } = dist as { integrity: string; tarballPath: string };
        return [version, { ...manifest, dist: { integrity, tarball: `${url}${tarballPath}` } }];
      }),
    );
    // The lockfile's newest version is `latest`: npm prefers it when a range allows several.
    const latest = Object.keys(versions).sort(semver.compare).at(-1)!;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: packument.name, 'dist-tags': { latest }, versions }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    served,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
