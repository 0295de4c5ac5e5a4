import pg from 'pg';
import { embeddedUrl, socketDirectoryFor } from './embedded-postgres-socket.js';

describe('the embedded server socket', () => {
  it('lives in the cluster directory, given as an absolute path', () => {
    expect(socketDirectoryFor('/var/lib/switchyard/clusters/0123456789abcdef', 45321)).toBe(
      '/var/lib/switchyard/clusters/0123456789abcdef',
    );
    expect(socketDirectoryFor('data/pg', 5432)).toBe(`${process.cwd()}/data/pg`);
  });

  it('is not used where PostgreSQL or the shell could not take the path: TCP alone then', () => {
    expect(socketDirectoryFor(`/${'d'.repeat(100)}`, 45321)).toBeUndefined(); // beyond sun_path
    expect(socketDirectoryFor('/srv/my data/pg', 5432)).toBeUndefined();
    expect(socketDirectoryFor("/srv/o'brien/pg", 5432)).toBeUndefined();
    expect(socketDirectoryFor('/srv/a,b/pg', 5432)).toBeUndefined();
  });

  it('is what the URL points the pg driver at; without one, 127.0.0.1', () => {
    // As the pg driver reads it (it does not connect here).
    const client = (url: string) => new pg.Client({ connectionString: url });
    const viaSocket = client(embeddedUrl('p@ss/word', 45321, '/var/lib/switchyard/clusters/abc'));
    expect(viaSocket).toMatchObject({
      host: '/var/lib/switchyard/clusters/abc',
      port: 45321,
      user: 'postgres',
      password: 'p@ss/word',
      database: 'postgres',
    });
    expect(client(embeddedUrl('pw', 45321, undefined))).toMatchObject({ host: '127.0.0.1', port: 45321 });
  });
});
