import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isReservedPath, listUiFiles } from './ui-files.js';

describe('admin UI files', () => {
  it('never answers for the API, metrics or ACME paths', () => {
    for (const p of ['/api', '/api/', '/api/nothing-here', '/metrics', '/.well-known/acme-challenge/x'])
      expect(isReservedPath(p)).toBe(true);
    for (const p of ['/', '/agents', '/apiary', '/metrics-dashboard', '/assets/main-1.js'])
      expect(isReservedPath(p)).toBe(false);
  });

  it('lists only the files present at boot, with types and caching by folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'sy-ui-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html>');
    writeFileSync(join(root, 'assets', 'main-ABC.js'), '');
    const files = listUiFiles(root);
    expect([...files.keys()].sort()).toEqual(['/assets/main-ABC.js', '/index.html']);
    expect(files.get('/index.html')).toMatchObject({
      contentType: 'text/html; charset=utf-8',
      immutable: false,
    });
    expect(files.get('/assets/main-ABC.js')).toMatchObject({ immutable: true });
    expect(files.has('/../package.json')).toBe(false);
  });

  it('has nothing to serve when the UI was not built', () => {
    expect(listUiFiles(join(tmpdir(), 'no-such-ui-folder')).size).toBe(0);
  });
});
