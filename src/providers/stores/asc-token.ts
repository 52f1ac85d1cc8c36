/**
 * App Store Connect API tokens (ES256 JWTs, at most 20 minutes ahead). The client library makes
 * a new one only after the old one expired (its client.js checks `generatedAt + expirationTime <
 * now`), so a long wait would send a token at the edge of expiry; this source renews at 3/4 of the
 * lifetime, and on demand after a 401 (Apple also sends transient 401s: microsoft/asconnect#8).
 * https://developer.apple.com/documentation/appstoreconnectapi/generating-tokens-for-api-requests
 */
import type { KeyLike } from 'jose';

const MAX_TTL_MS = 20 * 60_000;

export class AscTokenSource {
  private token: { value: string; renewAt: number } | undefined;
  private key: Promise<KeyLike> | undefined;

  constructor(
    private readonly opts: { keyId: string; issuerId?: string; privateKeyPem: string; ttlMs: number },
  ) {
    if (opts.ttlMs > MAX_TTL_MS) throw new Error('App Store Connect refuses tokens that live longer than 20 minutes');
  }

  async get(): Promise<string> {
    if (this.token && Date.now() < this.token.renewAt) return this.token.value;
    const { SignJWT, importPKCS8 } = await import('jose');
    this.key ??= importPKCS8(this.opts.privateKeyPem, 'ES256');
    const now = Date.now();
    // JWT times are whole seconds: renew against the expiry actually written, not the ideal one.
    const exp = Math.floor((now + this.opts.ttlMs) / 1000);
    const jwt = new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: this.opts.keyId, typ: 'JWT' })
      .setAudience('appstoreconnect-v1')
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(exp);
    // Team keys carry the issuer; individual keys say sub "user" instead.
    if (this.opts.issuerId) jwt.setIssuer(this.opts.issuerId);
    else jwt.setSubject('user');
    const value = await jwt.sign(await this.key);
    this.token = { value, renewAt: now + (exp * 1000 - now) * 0.75 };
    return value;
  }

  /** After a 401: the next call signs a fresh token. */
  invalidate(): void {
    this.token = undefined;
  }
}
