import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type TruststoreEntry } from './truststore-selection.js';

/** Anything that runs SQL: the pool, or one transaction. */
export type Queryable = Pick<DataSource | EntityManager, 'query'>;

/** A profile's editable draft (the `profiles` row); the password stays sealed. */
export interface ProfileDraft {
  name: string;
  builtIn: boolean;
  description: string;
  copiedFrom: string | null;
  agentConf: string;
  truststore: TruststoreEntry[];
  passwordSealed: string;
  minimumAgentVersion: string;
  requiredCapabilities: string[];
  draftVersion: number;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
}

export type NewProfileDraft = Omit<ProfileDraft, 'draftVersion' | 'createdAt' | 'updatedAt' | 'updatedBy'>;
export type DraftChanges = Pick<
  ProfileDraft,
  | 'description'
  | 'agentConf'
  | 'truststore'
  | 'passwordSealed'
  | 'minimumAgentVersion'
  | 'requiredCapabilities'
>;

const COLUMNS = `name, built_in, description, copied_from, draft_agent_conf, draft_truststore,
  truststore_password_encrypted, minimum_agent_version, required_capabilities, draft_version,
  created_at, created_by, updated_at, updated_by`;

@Injectable()
export class ProfilesRepository {
  constructor(private readonly db: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async list(): Promise<ProfileDraft[]> {
    const rows: unknown[] = await this.db.query(`SELECT ${COLUMNS} FROM profiles ORDER BY name`);
    return rows.map(toDraft);
  }

  async find(name: string, q: Queryable = this.db): Promise<ProfileDraft | undefined> {
    const [row] = await q.query(`SELECT ${COLUMNS} FROM profiles WHERE name = $1`, [name]);
    return row ? toDraft(row) : undefined;
  }

  /** The draft, locked until `tx` ends: prepares of one profile run one after the other, across nodes. */
  async findForPrepare(tx: EntityManager, name: string): Promise<ProfileDraft | undefined> {
    const [row] = await tx.query(`SELECT ${COLUMNS} FROM profiles WHERE name = $1 FOR UPDATE`, [name]);
    return row ? toDraft(row) : undefined;
  }

  /** Inserts a new profile; false when the name is taken (a built-in loaded by another node, a racing create). */
  async insert(d: NewProfileDraft): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO profiles (name, built_in, description, copied_from, draft_agent_conf, draft_truststore,
         truststore_password_encrypted, minimum_agent_version, required_capabilities, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
       ON CONFLICT (name) DO NOTHING RETURNING name`,
      [
        d.name,
        d.builtIn,
        d.description,
        d.copiedFrom,
        d.agentConf,
        JSON.stringify(d.truststore),
        d.passwordSealed,
        d.minimumAgentVersion,
        JSON.stringify(d.requiredCapabilities),
        d.createdBy,
      ],
    );
    return rows.length > 0;
  }

  /** Stores a new draft if nobody changed it since `expectedVersion`; undefined otherwise. */
  async updateDraft(
    name: string,
    expectedVersion: number,
    c: DraftChanges,
    updatedBy: string,
  ): Promise<ProfileDraft | undefined> {
    // UPDATE … RETURNING answers [rows, affected count] through TypeORM's postgres driver.
    const [rows] = (await this.db.query(
      `UPDATE profiles SET description = $3, draft_agent_conf = $4, draft_truststore = $5,
         truststore_password_encrypted = $6, minimum_agent_version = $7, required_capabilities = $8,
         draft_version = draft_version + 1, updated_at = now(), updated_by = $9
       WHERE name = $1 AND draft_version = $2 RETURNING ${COLUMNS}`,
      [
        name,
        expectedVersion,
        c.description,
        c.agentConf,
        JSON.stringify(c.truststore),
        c.passwordSealed,
        c.minimumAgentVersion,
        JSON.stringify(c.requiredCapabilities),
        updatedBy,
      ],
    )) as [unknown[], number];
    return rows[0] ? toDraft(rows[0]) : undefined;
  }

  /** Deletes a profile that is not built in and has no revision (revisions are history); false otherwise. */
  async deleteUnused(name: string): Promise<boolean> {
    const [rows] = (await this.db.query(
      `DELETE FROM profiles p WHERE p.name = $1 AND NOT p.built_in
         AND NOT EXISTS (SELECT 1 FROM profile_revisions r WHERE r.profile_name = p.name)
       RETURNING name`,
      [name],
    )) as [unknown[], number];
    return rows.length > 0;
  }
}

/** A row of `profiles`, as Postgres answers it. */
interface DraftRow {
  name: string;
  built_in: boolean;
  description: string;
  copied_from: string | null;
  draft_agent_conf: string;
  draft_truststore: TruststoreEntry[];
  truststore_password_encrypted: string;
  minimum_agent_version: string;
  required_capabilities: string[];
  draft_version: number;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  updated_by: string;
}

function toDraft(row: unknown): ProfileDraft {
  const r = row as DraftRow;
  return {
    name: r.name,
    builtIn: r.built_in,
    description: r.description,
    copiedFrom: r.copied_from ?? null,
    agentConf: r.draft_agent_conf,
    truststore: r.draft_truststore,
    passwordSealed: r.truststore_password_encrypted,
    minimumAgentVersion: r.minimum_agent_version,
    requiredCapabilities: r.required_capabilities,
    draftVersion: r.draft_version,
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}
