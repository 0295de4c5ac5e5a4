import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Transport } from '../../../../libs/protocol/index.js';
import { AGENT_STATUS_VIEW } from './agent-status.query.js';
import { type ConnectionStatus } from './agents.repository.js';

/** Registered agents with one status and one transport (the last one they used; null: never connected). */
export interface AgentCountCell {
  status: ConnectionStatus;
  transport: Transport | null;
  /** Of them, those whose latest session came through a TLS connector. */
  viaConnector: number;
  count: number;
}

export interface AgentCounts {
  cells: AgentCountCell[];
  /** Revoked agents, counted apart: they are not part of the fleet any more. */
  revoked: number;
}

/** Fleet figures for the overview: one GROUP BY, whatever the number of agents (no row leaves the database). */
@Injectable()
export class AgentCountsRepository {
  constructor(private readonly db: DataSource) {}

  async counts(): Promise<AgentCounts> {
    const rows = (await this.db.query(
      `SELECT v.revoked_at IS NOT NULL AS revoked, v.status, v.transport,
              count(*) FILTER (WHERE v.via IS NOT NULL)::int AS via, count(*)::int AS n
         FROM (${AGENT_STATUS_VIEW}) v
        GROUP BY 1, 2, 3`,
    )) as Array<{
      revoked: boolean;
      status: ConnectionStatus;
      transport: Transport | null;
      via: number;
      n: number;
    }>;
    return {
      cells: rows
        .filter((r) => !r.revoked)
        .map((r) => ({ status: r.status, transport: r.transport, viaConnector: r.via, count: r.n })),
      revoked: rows.filter((r) => r.revoked).reduce((n, r) => n + r.n, 0),
    };
  }
}
