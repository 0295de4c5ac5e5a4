#!/usr/bin/env node
// certmgr: the server-certificate CLI operators know from other products, working on the database
// directly so it works with central stopped; running nodes hear about changes through NOTIFY.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, join } from 'node:path';
import { AuditRepository } from '../audit/audit.repository.js';
import { redactSecrets } from '../audit/audit.service.js';
import {
  formatServerCertificateReport,
  type ServerCertificateReport,
} from '../certificates/certificate-report.js';
import { CertificatesRepository } from '../certificates/certificates.repository.js';
import { AgentTrustRepository } from '../agents/agent-trust.repository.js';
import { CertificateGuard } from '../certificates/certificate-guard.js';
import { CertificatesService, forcedWarning } from '../certificates/certificates.service.js';
import { loadMigrationConfig } from '../migration/migration.config.js';
import { notifyNodes } from '../cluster/cluster-bus.js';
import { DomainError } from '../common/domain-error.js';
import { ConfigError, loadCentralConfig } from '../config/central-config.js';
import { SecretBox, loadOrCreateMasterKey } from '../crypto/secret-box.js';
import { openDatabase, type Database } from '../database/database.js';
import { USAGE, UsageError, parseCertmgrArgs, type CertmgrCommand } from './certmgr-args.js';
import { ROTATE_USAGE, isRotateCommand } from './rotate-args.js';
import { runRotate } from './rotate-command.js';

const EXIT = { done: 0, refused: 1, usage: 2, environment: 3 } as const;

async function main(argv: string[]): Promise<number> {
  if (isRotateCommand(argv)) return runRotate(argv);
  let command: CertmgrCommand;
  try {
    command = parseCertmgrArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`certmgr: ${error.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (command.kind === 'help') {
    console.log(`${USAGE}\n\n${ROTATE_USAGE}`);
    return EXIT.done;
  }
  const files = command.kind === 'import' ? readInputs(command.files) : [];
  if (files === undefined) return EXIT.usage;

  let database: Database;
  let secrets: SecretBox;
  let config;
  let windowHours: number;
  try {
    config = loadCentralConfig();
    windowHours = loadMigrationConfig().minWindowHours;
    secrets = new SecretBox(config.masterKey ?? loadOrCreateMasterKey(join(config.dataDir, 'master.key')));
    database = await openDatabase(config, (line) => console.error(`certmgr: ${line}`));
  } catch (error) {
    console.error(`certmgr: ${(error as Error).message}`);
    return error instanceof ConfigError ? EXIT.usage : EXIT.environment;
  }
  const db = database.dataSource;
  const certificates = new CertificatesService(
    new CertificatesRepository(db),
    secrets,
    { publish: (event, payload) => notifyNodes(db, `certmgr-${process.pid}`, event, payload) },
    config,
    // Reads what agents reported from the database: a running node stores reports within a second.
    new CertificateGuard(new AgentTrustRepository(db), windowHours),
  );
  const audit = new AuditRepository(db);
  const actor = `certmgr (${userInfo().username})`;
  const record = (action: string, outcome: 'success' | 'refused', details: Record<string, unknown>) =>
    audit.insert({
      actor,
      address: null,
      action,
      target: 'server-certificate',
      outcome,
      details: redactSecrets(details) as Record<string, unknown>,
    });
  const print = (report: ServerCertificateReport, warnings: string[] = []) => {
    console.log(
      command.json ? JSON.stringify({ ...report, warnings }, null, 2) : formatServerCertificateReport(report),
    );
    if (!command.json) for (const w of warnings) console.log(`Warning: ${w}`);
  };
  try {
    switch (command.kind) {
      case 'show':
        print(await certificates.activeSummary());
        return EXIT.done;
      case 'self':
      case 'previous': {
        const action = command.kind === 'self' ? 'certmgr -self' : 'certmgr -previous';
        try {
          const installed =
            command.kind === 'self'
              ? await certificates.installSelfSigned({ force: command.force })
              : await certificates.restorePrevious({ force: command.force });
          const report = await certificates.activeSummary();
          const warnings = installed.forcedPast ? [forcedWarning(installed.forcedPast)] : [];
          await record(action, 'success', {
            fingerprintSha256: report.fingerprintSha256,
            ...(installed.forcedPast ? { forced: true, strandedAgents: installed.forcedPast } : {}),
          });
          print(report, warnings);
          return EXIT.done;
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          await record(action, 'refused', { reason: error.message, ...error.details });
          console.error(`certmgr: refused, nothing changed: ${error.message}`);
          return EXIT.refused;
        }
      }
      case 'import': {
        const names = files.map((f) => f.name);
        try {
          const result = await certificates.importFiles(files, command.password, command.hosts, {
            force: command.force,
          });
          await record('certmgr import', 'success', {
            files: names,
            fingerprintSha256: result.certificate.fingerprintSha256,
            ...(command.force ? { force: true } : {}),
          });
          print(result.certificate, result.warnings);
          return EXIT.done;
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          await record('certmgr import', 'refused', {
            files: names,
            reason: error.message,
            ...error.details,
          });
          console.error(`certmgr: refused, nothing changed: ${error.message}`);
          return EXIT.refused;
        }
      }
    }
  } catch (error) {
    if (error instanceof DomainError) {
      console.error(`certmgr: ${error.message}`);
      return EXIT.refused;
    }
    throw error;
  } finally {
    await database.close();
  }
}

function readInputs(paths: string[]): Array<{ name: string; bytes: Buffer }> | undefined {
  try {
    return paths.map((path) => ({ name: basename(path), bytes: readFileSync(path) }));
  } catch (error) {
    console.error(
      `certmgr: cannot read ${(error as NodeJS.ErrnoException).path ?? 'file'}: ${(error as Error).message}`,
    );
    return undefined;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`certmgr: unexpected failure: ${error.stack ?? error.message}`);
    process.exit(EXIT.environment);
  },
);
