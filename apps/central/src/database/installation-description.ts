import {
  importProfileSigningPublicKey,
  profileSigningKeyFingerprint,
} from '../../../../libs/profile-archive/profile-signing-key.js';
import { type InstallationFacts } from './installation.repository.js';

/** Where a connection URL points, for people: `127.0.0.1:5433`, or the socket folder. No credentials. */
export function serverOf(url: string): string {
  try {
    const u = new URL(url);
    return `${decodeURIComponent(u.hostname) || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/**
 * One boot-log line saying which installation DATABASE_URL leads to. A node given the embedded server's
 * port but the database `postgres` instead of `switchyard` used to create a second, separate installation
 * without a word; now the line says "empty database: creating a new installation", and a node that joins
 * an existing one shows the same installation id as the others.
 */
export function describeInstallation(facts: InstallationFacts, url: string): string {
  const where = `database "${facts.database}" at ${serverOf(url)}`;
  if (!facts.hasSchema)
    return `${where} is empty: creating a new installation (to join other nodes, give DATABASE_URL the database they use; data/pg.json of an embedded server names it)`;
  const agents = `${facts.agents} agent${facts.agents === 1 ? '' : 's'}`;
  if (!facts.signingKeyPem) return `${where}: an installation still being created, ${agents}`;
  const id = profileSigningKeyFingerprint(importProfileSigningPublicKey(facts.signingKeyPem)).slice(0, 16);
  const created = facts.createdAt ? ` created ${facts.createdAt.toISOString().slice(0, 10)}` : '';
  return `${where}: installation ${id}${created}, ${agents}`;
}
