import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRow, queryRows } from '../database/typed-query.js';
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
    const row = await queryRow<{
      version: number;
      value: WebSocketSettings;
      created_at: Date;
      created_by: string;
    }>(
      this.db,
      'SELECT version, value, created_at, created_by FROM websocket_settings ORDER BY version DESC LIMIT 1',
    );
    return (
      row && { version: row.version, value: row.value, createdAt: row.created_at, createdBy: row.created_by }
    );
  }

  /** Inserts `version`; false when another writer took that version first (optimistic concurrency). */
  async insert(version: number, value: WebSocketSettings, createdBy: string): Promise<boolean> {
    const rows = await queryRows(
      this.db,
      `INSERT INTO websocket_settings (version, value, created_by) VALUES ($1, $2, $3)
       ON CONFLICT (version) DO NOTHING RETURNING version`,
      [version, JSON.stringify(value), createdBy],
    );
    return rows.length > 0;
  }
}
