import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** An uploaded agent package without its archive bytes. */
export interface AgentPackageRow {
  version: string;
  sha256: string;
  sizeBytes: number;
  platform: string;
  minNodeMajor: number;
  publisherKeyFingerprint: string;
  uploadedBy: string;
  uploadedAt: Date;
}

/** What an agent needs to check a package: the manifest as signed and central's signature of it. */
export interface SignedManifest {
  version: string;
  sha256: string;
  sizeBytes: number;
  manifest: string;
  centralSignature: Buffer;
}

export interface NewAgentPackage {
  version: string;
  sha256: string;
  sizeBytes: number;
  platform: string;
  minNodeMajor: number;
  manifest: string;
  publisherSignature: Buffer;
  publisherKeyFingerprint: string;
  centralSignature: Buffer;
  archive: Buffer;
  uploadedBy: string;
}

const COLUMNS = `version, sha256, size_bytes, platform, min_node_major, publisher_key_fingerprint, uploaded_by, uploaded_at`;

@Injectable()
export class AgentPackagesRepository {
  constructor(private readonly db: DataSource) {}

  async list(): Promise<AgentPackageRow[]> {
    const rows = (await this.db.query(
      `SELECT ${COLUMNS} FROM agent_packages ORDER BY uploaded_at DESC, version`,
    )) as PackageRow[];
    return rows.map(toRow);
  }

  async find(version: string): Promise<AgentPackageRow | undefined> {
    const [row] = (await this.db.query(`SELECT ${COLUMNS} FROM agent_packages WHERE version = $1`, [
      version,
    ])) as PackageRow[];
    return row ? toRow(row) : undefined;
  }

  async signedManifest(version: string): Promise<SignedManifest | undefined> {
    const [row] = (await this.db.query(
      `SELECT version, sha256, size_bytes, manifest, central_signature FROM agent_packages WHERE version = $1`,
      [version],
    )) as Array<
      Pick<PackageRow, 'version' | 'sha256' | 'size_bytes'> & { manifest: string; central_signature: Buffer }
    >;
    if (!row) return undefined;
    return {
      version: row.version,
      sha256: row.sha256,
      sizeBytes: Number(row.size_bytes),
      manifest: row.manifest,
      centralSignature: row.central_signature,
    };
  }

  /** Bytes [offset, offset + length) of the archive with this sha256, and its size; undefined if unknown. */
  async archiveSlice(
    sha256: string,
    offset: number,
    length: number,
  ): Promise<{ data: Buffer; totalBytes: number } | undefined> {
    // substring on bytea is 1-based; only the slice leaves the database.
    const [row] = (await this.db.query(
      `SELECT substring(archive FROM $2::int + 1 FOR $3::int) AS data, size_bytes FROM agent_packages WHERE sha256 = $1`,
      [sha256, offset, length],
    )) as Array<{ data: Buffer; size_bytes: number }>;
    return row ? { data: row.data, totalBytes: Number(row.size_bytes) } : undefined;
  }

  /** Inserts unless the version exists; false when it did (the caller reads what is there). */
  async insert(p: NewAgentPackage): Promise<boolean> {
    const rows = (await this.db.query(
      `INSERT INTO agent_packages (version, sha256, size_bytes, platform, min_node_major, manifest,
         publisher_signature, publisher_key_fingerprint, central_signature, archive, uploaded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT DO NOTHING RETURNING version`,
      [
        p.version,
        p.sha256,
        p.sizeBytes,
        p.platform,
        p.minNodeMajor,
        p.manifest,
        p.publisherSignature,
        p.publisherKeyFingerprint,
        p.centralSignature,
        p.archive,
        p.uploadedBy,
      ],
    )) as unknown[];
    return rows.length > 0;
  }
}

/** A row of COLUMNS, as Postgres answers it (bigint and smallint may come as text). */
interface PackageRow {
  version: string;
  sha256: string;
  size_bytes: string | number;
  platform: string;
  min_node_major: string | number;
  publisher_key_fingerprint: string;
  uploaded_by: string;
  uploaded_at: Date;
}

function toRow(r: PackageRow): AgentPackageRow {
  return {
    version: r.version,
    sha256: r.sha256,
    sizeBytes: Number(r.size_bytes),
    platform: r.platform,
    minNodeMajor: Number(r.min_node_major),
    publisherKeyFingerprint: r.publisher_key_fingerprint,
    uploadedBy: r.uploaded_by,
    uploadedAt: r.uploaded_at,
  };
}
