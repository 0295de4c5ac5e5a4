import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox, loadOrCreateMasterKey } from './secret-box.js';
import { hashPassword, verifyPassword, newSecret, hashSecret, sameHash } from './secrets.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));
  it('round-trips and binds the purpose', () => {
    const sealed = box.seal('private key', 'server-key');
    expect(sealed).not.toContain('private');
    expect(box.open(sealed, 'server-key').toString()).toBe('private key');
    expect(() => box.open(sealed, 'other')).toThrow(/cannot decrypt other/);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'server-key')).toThrow(
      /master key does not match/,
    );
  });
});

describe('master key file', () => {
  it('is created 0600 and read back; a group-readable one is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-mk-'));
    const key = loadOrCreateMasterKey(join(dir, 'master.key'));
    expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateMasterKey(join(dir, 'master.key'))).toEqual(key);
    writeFileSync(join(dir, 'loose.key'), 'ab'.repeat(32), { mode: 0o644 });
    expect(() => loadOrCreateMasterKey(join(dir, 'loose.key'))).toThrow(/chmod 600/);
  });
});

describe('secrets', () => {
  it('verifies passwords with scrypt', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('wrong', stored)).toBe(false);
  });
  it('hashes random secrets', () => {
    const s = newSecret('sya_');
    expect(s.startsWith('sya_')).toBe(true);
    expect(sameHash(hashSecret(s), hashSecret(s))).toBe(true);
    expect(sameHash(hashSecret(s), hashSecret(newSecret('sya_')))).toBe(false);
  });
});
