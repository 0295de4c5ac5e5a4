import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type ProfileManifest } from '../../../../libs/profile-archive/index.js';
import { type Queryable } from './profiles.repository.js';

/** One certificate of a revision's truststores, as stored in `profile_revisions.truststore`. */
export interface RevisionCertificate {
  alias: string;
  /** Colon-separated upper-case hex, as keytool prints it. */
  fingerprintSha256: string;
  subject: string;
  pem: string;
}

/** An immutable, numbered revision of a profile (without its archive bytes). */
export interface ProfileRevision {
  profile: string;
  revision: number;
  sha256: string;
  sizeBytes: number;
  manifest: ProfileManifest;
  /** agent.conf exactly as in the archive (it holds the truststore password: never send it as is). */
  agentConf: string;
  truststore: RevisionCertificate[];
  minimumAgentVersion: string;
  requiredCapabilities: string[];
  createdAt: Date;
  createdBy: string;
}

export interface ProfileRevisionWithArchive extends ProfileRevision {
  archive: Buffer;
}

const COLUMNS = `profile_name, revision, sha256, size_bytes, manifest, agent_conf, truststore,
  minimum_agent_version, required_capabilities, created_at, created_by`;

/** Revisions are inserted, never updated (ADR 0009): history is not rewritten. */
@Injectable()
export class ProfileRevisionsRepository {
  constructor(private readonly db: DataSource) {}

  /** The archive of the revision with this sha256: what agents download. */
  async archiveBySha256(sha256: string): Promise<Buffer | undefined> {
    const [row] = (await this.db.query(`SELECT archive FROM profile_revisions WHERE sha256 = $1 LIMIT 1`, [
      sha256,
    ])) as Array<{ archive: Buffer }>;
    return row?.archive;
  }

  async find(profile: string, revision: number): Promise<ProfileRevision | undefined> {
    const [row] = await this.db.query(
      `SELECT ${COLUMNS} FROM profile_revisions WHERE profile_name = $1 AND revision = $2`,
      [profile, revision],
    );
    return row ? toRevision(row) : undefined;
  }

  async archive(profile: string, revision: number): Promise<Buffer | undefined> {
    const [row] = await this.db.query(
      'SELECT archive FROM profile_revisions WHERE profile_name = $1 AND revision = $2',
      [profile, revision],
    );
    return (row as { archive: Buffer } | undefined)?.archive;
  }

  /** Every revision of a profile, newest first. */
  async list(profile: string): Promise<ProfileRevision[]> {
    const rows: unknown[] = await this.db.query(
      `SELECT ${COLUMNS} FROM profile_revisions WHERE profile_name = $1 ORDER BY revision DESC`,
      [profile],
    );
    return rows.map(toRevision);
  }

  async latest(profile: string, q: Queryable = this.db): Promise<ProfileRevision | undefined> {
    const [row] = await q.query(
      `SELECT ${COLUMNS} FROM profile_revisions WHERE profile_name = $1 ORDER BY revision DESC LIMIT 1`,
      [profile],
    );
    return row ? toRevision(row) : undefined;
  }

  /** The newest revision of every profile that has one, by profile name. */
  async latestOfEach(): Promise<Map<string, ProfileRevision>> {
    const rows: unknown[] = await this.db.query(
      `SELECT DISTINCT ON (profile_name) ${COLUMNS} FROM profile_revisions
       ORDER BY profile_name, revision DESC`,
    );
    return new Map(rows.map(toRevision).map((r) => [r.profile, r]));
  }

  async insert(q: Queryable, r: Omit<ProfileRevisionWithArchive, 'createdAt'>): Promise<ProfileRevision> {
    const [row] = await q.query(
      `INSERT INTO profile_revisions (profile_name, revision, sha256, size_bytes, archive, manifest, agent_conf,
         truststore, minimum_agent_version, required_capabilities, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
      [
        r.profile,
        r.revision,
        r.sha256,
        r.sizeBytes,
        r.archive,
        JSON.stringify(r.manifest),
        r.agentConf,
        JSON.stringify(r.truststore),
        r.minimumAgentVersion,
        JSON.stringify(r.requiredCapabilities),
        r.createdBy,
      ],
    );
    return toRevision(row);
  }
}

function toRevision(row: unknown): ProfileRevision {
  const r = row as Record<string, unknown>;
  return {
    profile: r.profile_name as string,
    revision: r.revision as number,
    sha256: r.sha256 as string,
    sizeBytes: r.size_bytes as number,
    manifest: r.manifest as ProfileManifest,
    agentConf: r.agent_conf as string,
    truststore: r.truststore as RevisionCertificate[],
    minimumAgentVersion: r.minimum_agent_version as string,
    requiredCapabilities: r.required_capabilities as string[],
    createdAt: r.created_at as Date,
    createdBy: r.created_by as string,
  };
}
