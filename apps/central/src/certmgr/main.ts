#!/usr/bin/env node
// certmgr: the server-certificate CLI operators know from other products, working on the database
// directly so it works with central stopped; running nodes hear about changes through NOTIFY.
import 'reflect-metadata';
import { userInfo } from 'node:os';
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
import { notifyNodes } from '../cluster/cluster-bus.js';
import { DomainError } from '../common/domain-error.js';
import { USAGE, UsageError, parseCertmgrArgs, type CertmgrCommand } from './certmgr-args.js';
import { EXIT, openCertmgrDatabase, readInputFiles } from './certmgr-cli.js';
import { ROTATE_USAGE, isRotateCommand } from './rotate-args.js';
import { runRotate } from './rotate-command.js';

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
  const files = command.kind === 'import' ? readInputFiles(command.files) : [];
  if (files === undefined) return EXIT.usage;

  const opened = await openCertmgrDatabase();
  if (typeof opened === 'number') return opened;
  const { config, windowHours, secrets, database } = opened;
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`certmgr: unexpected failure: ${error.stack ?? error.message}`);
    process.exit(EXIT.environment);
  },
);
