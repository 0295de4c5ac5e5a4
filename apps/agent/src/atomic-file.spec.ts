import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentHome } from './agent-home.js';
import { ensureDirectory, writeFileAtomic } from './atomic-file.js';
import { CredentialStore } from './credential-store.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('atomic files and the credential store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-atomic-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces a file whole, with the given mode, leaving no temp file behind', () => {
    const file = join(dir, 'status.json');
    writeFileSync(file, 'old');
    writeFileAtomic(file, 'new content', 0o600);
    expect(readFileSync(file, 'utf8')).toBe('new content');
    expect(mode(file)).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['status.json']);
  });

  it('leaves the old file and no temp file when the write fails', () => {
    const file = join(dir, 'missing-dir', 'x');
    expect(() => writeFileAtomic(file, 'data')).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('creates directories with exactly the mode asked for, also when they already exist', () => {
    const state = join(dir, 'a', 'state');
    ensureDirectory(state, 0o700);
    expect(mode(state)).toBe(0o700);
    ensureDirectory(state, 0o700);
    expect(mode(state)).toBe(0o700);
  });

  it('stores the credential 0600 in a 0700 state directory and reads it back', () => {
    const home = new AgentHome(dir);
    const store = new CredentialStore(home);
    expect(store.read()).toBeUndefined();
    store.write('c'.repeat(40));
    expect(store.read()).toBe('c'.repeat(40));
    expect(mode(home.stateDir)).toBe(0o700);
    expect(mode(home.credentialFile)).toBe(0o600);
    store.retire();
    expect(store.read()).toBeUndefined();
    expect(readFileSync(home.credentialFile + '.revoked', 'utf8').trim()).toBe('c'.repeat(40));
  });
});
