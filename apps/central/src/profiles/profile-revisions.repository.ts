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

/** A revision as a delivery plans it (the rollouts domain). */
export type RevisionFacts = Pick<
  ProfileRevision,
  'profile' | 'revision' | 'sha256' | 'sizeBytes' | 'minimumAgentVersion' | 'requiredCapabilities'
>;

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

  /** What a delivery needs of a revision (no archive, no agent.conf): its sha, size and requirements. */
  async facts(profile: string, revision: number): Promise<RevisionFacts | undefined> {
    const [row] = (await this.db.query(
      `SELECT profile_name, revision, sha256, size_bytes, minimum_agent_version, required_capabilities
         FROM profile_revisions WHERE profile_name = $1 AND revision = $2`,
      [profile, revision],
    )) as RevisionRow[];
    return row
      ? {
          profile: row.profile_name,
          revision: row.revision,
          sha256: row.sha256,
          sizeBytes: row.size_bytes,
          minimumAgentVersion: row.minimum_agent_version,
          requiredCapabilities: row.required_capabilities,
        }
      : undefined;
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

/** A row of COLUMNS, as Postgres answers it. */
interface RevisionRow {
  profile_name: string;
  revision: number;
  sha256: string;
  size_bytes: number;
  manifest: ProfileManifest;
  agent_conf: string;
  truststore: RevisionCertificate[];
  minimum_agent_version: string;
  required_capabilities: string[];
  created_at: Date;
  created_by: string;
}

function toRevision(row: unknown): ProfileRevision {
  const r = row as RevisionRow;
  return {
    profile: r.profile_name,
    revision: r.revision,
    sha256: r.sha256,
    sizeBytes: r.size_bytes,
    manifest: r.manifest,
    agentConf: r.agent_conf,
    truststore: r.truststore,
    minimumAgentVersion: r.minimum_agent_version,
    requiredCapabilities: r.required_capabilities,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}
