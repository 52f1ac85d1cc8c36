/** The masking rule (src/providers/redactor.ts): every secret, whatever its length, and nothing else. */
import { describe, expect, it } from 'vitest';
import { redactor } from '../../src/providers/redactor.js';
import { secretParts } from '../../src/providers/secrets.js';

describe('masking secrets in text', () => {
  it('masks a secret of 4 characters or more wherever it occurs, quotes, backslashes, newlines and unicode included', () => {
    const secrets = ['s3cr"et\\to-ken', 'пароль-🔑', 'line one\nline two'];
    const mask = redactor(secrets);
    for (const secret of secrets) {
      expect(mask(`before${secret}after`)).toBe('before***after');
      // As JSON writes it inside a string: text encoded before it reached a sink.
      const encoded = JSON.stringify({ token: secret });
      expect(mask(encoded)).toBe('{"token":"***"}');
    }
  });

  it('masks a secret of 1 to 3 characters only where it stands as a whole value or token', () => {
    const mask = redactor(['q7Z', '1']);
    expect(mask('q7Z')).toBe('***');
    expect(mask('  q7Z  ')).toBe('  ***  ');
    expect(mask('first line\nq7Z\nlast line')).toBe('first line\n***\nlast line');
    expect(mask('DEPLOY_PIN=q7Z')).toBe('DEPLOY_PIN=***');
    expect(mask('pin: q7Z, then')).toBe('pin: ***, then');
    expect(mask('{"DEPLOY_PIN":"q7Z"}')).toBe('{"DEPLOY_PIN":"***"}');
    expect(mask("say 'q7Z'")).toBe("say '***'");
    expect(mask('/hook?pin=q7Z&x=1')).toBe('/hook?pin=***&x=***');
    expect(mask('"message":"PIN=q7Z\\nnext"')).toBe('"message":"PIN=***\\nnext"');
    // A line inside JSON-encoded text (a journal line quoted in an error), once or twice encoded.
    expect(mask('{"message":"last lines:\\n    q7Z\\n    done"}')).toBe('{"message":"last lines:\\n    ***\\n    done"}');
    expect(mask('held: {\\"message\\":\\"last lines:\\\\n    q7Z\\"}')).toBe('held: {\\"message\\":\\"last lines:\\\\n    ***\\"}');
    // Never every occurrence of the letters in unrelated text.
    expect(mask('aq7Zb and the q7Z value')).toBe('aq7Zb and the q7Z value');
    expect(mask('deploy 1.4.2 -> 2.0.1, attempt 1 of 2')).toBe('deploy 1.4.2 -> 2.0.1, attempt 1 of 2');
    // A JSON number next to a 1-character secret stays valid JSON.
    expect(JSON.parse(mask('{"attempt":1,"seq":11}'))).toEqual({ attempt: 1, seq: 11 });
  });

  it('masks nothing when there is no secret, and an empty value is no secret', () => {
    expect(redactor([])('text')).toBe('text');
    expect(redactor([''])('text')).toBe('text');
  });

  it('a key file is secret as a whole and line by line; its armour and braces are not', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';
    const json = JSON.stringify({ type: 'service_account', private_key_id: 'ключ-🔑', private_key: pem }, null, 2);
    const parts = secretParts(json);
    expect(parts).toEqual(expect.arrayContaining([json, pem, 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'BKcwggSjAgEAAoIBAQC7', '"private_key_id": "ключ-🔑",']));
    expect(parts).not.toContain('{');
    expect(parts).not.toContain('-----BEGIN PRIVATE KEY-----');
    const mask = redactor(parts);
    const printed = `KEY=${json}`.split('\n').map(mask).join('\n');
    expect(printed).not.toContain('ключ-🔑');
    expect(printed).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC');
    expect(printed.split('\n')[0]).toBe('KEY={');
  });
});
