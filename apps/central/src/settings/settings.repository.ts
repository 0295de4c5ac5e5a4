import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type WebSocketSettings } from './websocket-settings.js';

export interface SettingsVersion {
  version: number;
  value: WebSocketSettings;
  createdAt: Date;
  createdBy: string;
}

@Injectable()
export class SettingsRepository {
  constructor(private readonly db: DataSource) {}

  async latest(): Promise<SettingsVersion | undefined> {
    const [row] = await this.db.query(
      'SELECT version, value, created_at, created_by FROM websocket_settings ORDER BY version DESC LIMIT 1',
    );
    if (!row) return undefined;
    const r = row as Record<string, unknown>;
    return {
      version: r.version as number,
      value: r.value as WebSocketSettings,
      createdAt: r.created_at as Date,
      createdBy: r.created_by as string,
    };
  }

  /** Inserts `version`; false when another writer took that version first (optimistic concurrency). */
  async insert(version: number, value: WebSocketSettings, createdBy: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO websocket_settings (version, value, created_by) VALUES ($1, $2, $3)
       ON CONFLICT (version) DO NOTHING RETURNING version`,
      [version, JSON.stringify(value), createdBy],
    );
    return rows.length > 0;
  }
}
