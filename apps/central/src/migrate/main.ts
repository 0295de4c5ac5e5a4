#!/usr/bin/env node
// migrate: the staged plain → secure migration for operators in a terminal. It works on the database
// directly, like certmgr; running nodes apply listener changes when they hear the NOTIFY.
import 'reflect-metadata';
import { userInfo } from 'node:os';
import { AuditRepository } from '../audit/audit.repository.js';
import { redactSecrets } from '../audit/audit.service.js';
import { CertificatesRepository } from '../certificates/certificates.repository.js';
import { notifyNodes } from '../cluster/cluster-bus.js';
import { NodesRepository } from '../cluster/nodes.repository.js';
import { DomainError } from '../common/domain-error.js';
import { ConfigError, loadCentralConfig } from '../config/central-config.js';
import { openDatabase, type Database } from '../database/database.js';
import { loadMigrationConfig } from '../migration/migration.config.js';
import { type MigrationActor } from '../migration/migration-deps.js';
import { MigrationRepository } from '../migration/migration.repository.js';
import { MigrationService } from '../migration/migration.service.js';
import { RolloutsIntegration } from '../migration/rollouts-integration.js';
import { MigrationGateQuery } from '../migration/migration-gate.query.js';
import { FleetAgentsRepository } from '../agents/fleet-agents.repository.js';
import { ProfileRevisionsRepository } from '../profiles/profile-revisions.repository.js';
import { RolloutProgressRepository } from '../rollouts/rollout-progress.repository.js';
import { type StrandedAgent } from '../migration/secure-only-gate.js';
import { SettingsRepository } from '../settings/settings.repository.js';
import { StoredSettingsAdapter } from './cli-settings.adapter.js';
import { USAGE, UsageError, parseMigrateArgs, type MigrateCommand } from './migrate-args.js';
import { formatExemptions, formatStatus, formatStranded, table } from './migration-report.js';

const EXIT = { done: 0, refused: 1, usage: 2, environment: 3 } as const;

async function main(argv: string[]): Promise<number> {
  let command: MigrateCommand;
  try {
    command = parseMigrateArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`migrate: ${error.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (command.kind === 'help') {
    console.log(USAGE);
    return EXIT.done;
  }
  let database: Database;
  let service: MigrationService;
  try {
    const config = loadCentralConfig();
    const migrationConfig = loadMigrationConfig();
    database = await openDatabase(config, (line) => console.error(`migrate: ${line}`));
    service = createService(database, config.agentHosts, config.http.port, migrationConfig);
  } catch (error) {
    console.error(`migrate: ${(error as Error).message}`);
    return error instanceof ConfigError ? EXIT.usage : EXIT.environment;
  }
  const actor: MigrationActor = { name: `migrate (${userInfo().username})`, address: null };
  const print = (value: unknown, text: () => string) =>
    console.log(command.json ? JSON.stringify(value, null, 2) : text());
  try {
    switch (command.kind) {
      case 'status': {
        const s = await service.status(command);
        print(s, () => formatStatus(s));
        return EXIT.done;
      }
      case 'advance': {
        const s = await service.advance(command, actor);
        print(s, () => formatStatus(s));
        return EXIT.done;
      }
      case 'rollback': {
        const s = await service.rollback(command, actor);
        print(s, () => formatStatus(s));
        return EXIT.done;
      }
      case 'exempt': {
        const e = await service.exemptions.add(command, actor);
        print(e, () => formatExemptions([e]));
        return EXIT.done;
      }
      case 'exempt-list': {
        const list = await service.exemptions.list();
        print(list, () => formatExemptions(list));
        return EXIT.done;
      }
      case 'exempt-remove': {
        const r = await service.exemptions.remove(command.agentId, actor);
        print(r, () => `Exemption of ${r.removed} removed.`);
        return EXIT.done;
      }
    }
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    printRefusal(error, command.json);
    return error.category === 'validation_failed' ? EXIT.usage : EXIT.refused;
  } finally {
    await database.close();
  }
}

function createService(
  database: Database,
  agentHosts: string[],
  adminPort: number,
  config: ReturnType<typeof loadMigrationConfig>,
): MigrationService {
  const db = database.dataSource;
  const audit = new AuditRepository(db);
  const certificates = new CertificatesRepository(db);
  const nodes = new NodesRepository(db);
  const agents = new FleetAgentsRepository(db);
  const revisions = new ProfileRevisionsRepository(db);
  return new MigrationService({
    repo: new MigrationRepository(db),
    gate: new MigrationGateQuery(db),
    agentExists: (id) => agents.isRegistered(id),
    revision: (profile, revision) => revisions.find(profile, revision),
    settings: new StoredSettingsAdapter(new SettingsRepository(db), (version) =>
      notifyNodes(db, `migrate-${process.pid}`, 'settings.changed', { version }),
    ),
    rollouts: new RolloutsIntegration(new RolloutProgressRepository(db)),
    activeChainPem: async () => (await certificates.findActive())?.chainPem,
    boundListeners: async () => (await nodes.list()).filter((n) => n.alive).flatMap((n) => n.listeners),
    audit: (who, action, outcome, details) =>
      audit.insert({
        actor: who.name,
        address: null,
        action,
        target: 'migration',
        outcome,
        details: redactSecrets(details) as Record<string, unknown>,
      }),
    config,
    agentHosts,
    adminPort,
  });
}

/** A refusal: the message, then the gate or the failed checks as a table. */
function printRefusal(error: DomainError, json: boolean): void {
  if (json) {
    // The same body as the API's refusal (ADR 49).
    const body = { ...error.details, error: error.category, code: error.code, message: error.message };
    console.log(JSON.stringify(body, null, 2));
    return;
  }
  console.error(`migrate: refused, nothing changed: ${error.message}`);
  const stranded = error.details.stranded as StrandedAgent[] | undefined;
  if (stranded) console.error('\n' + formatStranded(stranded));
  const checks = error.details.preconditions as
    Array<{ id: string; ok: boolean; reason: string }> | undefined;
  if (checks)
    console.error(
      '\n' +
        table(
          ['CHECK', 'RESULT', 'REASON'],
          checks.map((p) => [p.id, p.ok ? 'ok' : 'FAIL', p.reason]),
        ),
    );
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`migrate: unexpected failure: ${error.stack ?? error.message}`);
    process.exit(EXIT.environment);
  },
);
