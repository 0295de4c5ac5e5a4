import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditService } from '../audit/audit.service.js';
import { DomainError } from '../common/domain-error.js';
import { CENTRAL_CONFIG, type CentralConfig } from '../config/central-config.js';
import { CertificatesService } from './certificates.service.js';
import { PeriodicTask } from '../common/periodic-task.js';

/** Files holding the password of a dropped key store or key rather than certificate material. */
const PASSWORD_FILE = /^(password|password\.txt)$|\.pass$/i;

/**
 * Watches `<data>/certs/`: files dropped there (a .pfx with a `password` file, or certificate + key +
 * chain in any supported format) are imported as through the API once they stop changing between two
 * checks. Imported files are deleted (the key now lives sealed in the database); refused ones move to
 * `failed/<time>/` with `reason.txt`, so they are not retried and nothing changes.
 */
@Injectable()
export class CertificateDropFolder implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('certificates');
  private readonly folder: string;
  private task: PeriodicTask | undefined;
  private lastSnapshot = '';
  private running: Promise<void> | undefined;

  constructor(
    private readonly certificates: CertificatesService,
    private readonly audit: AuditService,
    @Inject(CENTRAL_CONFIG) private readonly config: CentralConfig,
  ) {
    this.folder = join(config.dataDir, 'certs');
  }

  onApplicationBootstrap(): void {
    mkdirSync(this.folder, { recursive: true, mode: 0o700 });
    this.task = new PeriodicTask(this.config.certDropIntervalMs, () => this.check()).start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
    await this.running;
  }

  /** One check of the folder; concurrent calls share the one in progress. */
  check(): Promise<void> {
    this.running ??= this.checkNow()
      .catch((error: Error) => this.logger.error(`certificate drop-in folder: ${error.message}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async checkNow(): Promise<void> {
    const dropped = this.droppedFiles();
    const snapshot = dropped.map((f) => `${f.name}:${f.size}:${f.mtimeMs}`).join('|');
    const stable = snapshot !== '' && snapshot === this.lastSnapshot;
    this.lastSnapshot = snapshot;
    if (!stable) return; // nothing there, or still being written: look again next time
    this.lastSnapshot = '';
    const claimed = this.claim(dropped.map((f) => f.name));
    if (claimed.names.length === 0) return;
    try {
      await this.importClaimed(claimed.dir, claimed.names);
    } finally {
      rmSync(claimed.dir, { recursive: true, force: true });
    }
  }

  private droppedFiles(): Array<{ name: string; size: number; mtimeMs: number }> {
    return readdirSync(this.folder, { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith('.') && e.name !== 'README.txt')
      .map((e) => {
        const s = statSync(join(this.folder, e.name));
        return { name: e.name, size: s.size, mtimeMs: s.mtimeMs };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Moves the files into a private folder: rename is atomic, so two nodes never import the same drop. */
  private claim(names: string[]): { dir: string; names: string[] } {
    const dir = join(this.folder, `.importing-${process.pid}-${Date.now()}`);
    mkdirSync(dir, { mode: 0o700 });
    const claimed = names.filter((name) => {
      try {
        renameSync(join(this.folder, name), join(dir, name));
        return true;
      } catch {
        return false; // taken by another node in the meantime
      }
    });
    return { dir, names: claimed };
  }

  private async importClaimed(dir: string, names: string[]): Promise<void> {
    const passwordFile = names.find((n) => PASSWORD_FILE.test(n));
    const password = passwordFile
      ? readFileSync(join(dir, passwordFile), 'utf8').split(/\r?\n/)[0]
      : undefined;
    const files = names
      .filter((n) => n !== passwordFile)
      .map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
    const shown = files.map((f) => f.name);
    try {
      const result = await this.certificates.importFiles(files, password, undefined);
      this.logger.log(
        `drop-in folder: imported ${shown.join(', ')} as the server certificate ${result.certificate.fingerprintSha256}; the files were removed`,
      );
      await this.audit.record('system', 'certificate drop-in import', 'success', 'server-certificate', {
        files: shown,
        fingerprintSha256: result.certificate.fingerprintSha256,
        warnings: result.warnings,
      });
    } catch (error) {
      const reason = error instanceof DomainError ? error.message : `unexpected: ${(error as Error).message}`;
      const failed = join(this.folder, 'failed', new Date().toISOString().replace(/[:.]/g, '-'));
      mkdirSync(failed, { recursive: true, mode: 0o700 });
      for (const name of names) renameSync(join(dir, name), join(failed, name));
      const agents =
        error instanceof DomainError && Array.isArray(error.details.agents)
          ? (error.details.agents as Array<{ id: string; reason: string }>)
          : [];
      // One stranded agent per line; forcing means importing these files with certmgr -force.
      const listed = agents.map((a) => `  ${a.id}: ${a.reason}\n`).join('');
      writeFileSync(join(failed, 'reason.txt'), reason + '\n' + listed, { mode: 0o600 });
      this.logger.warn(
        `drop-in folder: refused ${shown.join(', ')}, nothing changed: ${reason} (files moved to ${failed})`,
      );
      await this.audit.record('system', 'certificate drop-in import', 'refused', 'server-certificate', {
        files: shown,
        reason,
        ...(agents.length > 0 ? { strandedAgents: agents } : {}),
      });
    }
  }
}
