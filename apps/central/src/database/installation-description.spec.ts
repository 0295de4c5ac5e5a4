import {
  exportProfileSigningPublicKey,
  generateProfileSigningKey,
  profileSigningKeyFingerprint,
} from '../../../../libs/profile-archive/profile-signing-key.js';
import { describeInstallation, serverOf } from './installation-description.js';

describe('the boot line naming the installation DATABASE_URL leads to', () => {
  const url = 'postgres://postgres:s3cret@127.0.0.1:5433/postgres';

  it('says an empty database becomes a new installation, and where to find the right name', () => {
    const line = describeInstallation(
      { database: 'postgres', hasSchema: false, signingKeyPem: undefined, createdAt: undefined, agents: 0 },
      url,
    );
    expect(line).toBe(
      'database "postgres" at 127.0.0.1:5433 is empty: creating a new installation (to join other nodes, give DATABASE_URL the database they use; data/pg.json of an embedded server names it)',
    );
    expect(line).not.toContain('s3cret');
  });

  it('names an existing installation by its signing key, with its date and agent count', () => {
    const { publicKey } = generateProfileSigningKey();
    const id = profileSigningKeyFingerprint(publicKey).slice(0, 16);
    const facts = {
      database: 'switchyard',
      hasSchema: true,
      signingKeyPem: exportProfileSigningPublicKey(publicKey),
      createdAt: new Date('2026-11-23T08:00:00Z'),
      agents: 12,
    };
    expect(describeInstallation(facts, url)).toBe(
      `database "switchyard" at 127.0.0.1:5433: installation ${id} created 2026-11-23, 12 agents`,
    );
    expect(describeInstallation({ ...facts, agents: 1, signingKeyPem: undefined }, url)).toBe(
      'database "switchyard" at 127.0.0.1:5433: an installation still being created, 1 agent',
    );
  });

  it('shows a socket folder as a path and the default port, never credentials', () => {
    expect(serverOf('postgres://u:p@%2Fvar%2Frun%2Fpostgresql/switchyard')).toBe('/var/run/postgresql:5432');
    expect(serverOf('not a url')).toBe('(unparseable DATABASE_URL)');
  });
});
