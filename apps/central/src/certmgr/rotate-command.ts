import { userInfo } from 'node:os';
import { AgentTrustRepository } from '../agents/agent-trust.repository.js';
import { AuditRepository } from '../audit/audit.repository.js';
import { redactSecrets } from '../audit/audit.service.js';
import { CertificateGuard } from '../certificates/certificate-guard.js';
import { CertificatesRepository } from '../certificates/certificates.repository.js';
import { CertificatesService } from '../certificates/certificates.service.js';
import { notifyNodes } from '../cluster/cluster-bus.js';
import { DomainError } from '../common/domain-error.js';
import { RolloutsIntegration } from '../migration/rollouts-integration.js';
import { RolloutProgressRepository } from '../rollouts/rollout-progress.repository.js';
import { formatRotation } from '../rotation/rotation-format.js';
import { RotationRepository } from '../rotation/rotation.repository.js';
import { RotationService } from '../rotation/rotation.service.js';
import { type RotationView } from '../rotation/rotation-view.js';
import { UsageError } from './certmgr-args.js';
import { EXIT, openCertmgrDatabase, readInputFiles } from './certmgr-cli.js';
import { ROTATE_USAGE, parseRotateArgs, type RotateCommand } from './rotate-args.js';

/**
 * certmgr's rotation commands: on the database, like the rest of certmgr. Without a running node there
 * is no profiles or rollouts service, so publishing steps (2 and the clean-up) are refused with a
 * message pointing at the API; the rest (stage, status, gate + activate, abort) works with central down.
 */
export async function runRotate(argv: string[]): Promise<number> {
  let command: RotateCommand;
  try {
    command = parseRotateArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`certmgr: ${error.message}\n\n${ROTATE_USAGE}`);
    return EXIT.usage;
  }
  const files = command.kind === 'rotate-stage' ? readInputFiles(command.files) : [];
  if (files === undefined) return EXIT.usage;
  const opened = await openCertmgrDatabase();
  if (typeof opened === 'number') return opened;
  const { config, windowHours, secrets, database } = opened;
  const db = database.dataSource;
  const stored = new CertificatesRepository(db);
  const trust = new AgentTrustRepository(db);
  const audit = new AuditRepository(db);
  const certificates = new CertificatesService(
    stored,
    secrets,
    { publish: (event, payload) => notifyNodes(db, `certmgr-${process.pid}`, event, payload) },
    config,
    new CertificateGuard(trust, windowHours),
  );
  const progress = new RolloutsIntegration(new RolloutProgressRepository(db));
  const rotations = new RotationService({
    repo: new RotationRepository(db),
    secrets,
    certificates,
    activeCertificate: async () => {
      const active = await stored.findActive();
      return active ? { id: active.id, chainPem: active.chainPem } : undefined;
    },
    // Reads what agents reported from the database: a running node stores reports within a second.
    trust,
    windowHours,
    rolloutProgress: (id) => progress.progress(id),
    audit: (actor, action, outcome, details) =>
      audit.insert({
        actor: actor.name,
        address: null,
        action,
        target: 'certificate-rotation',
        outcome,
        details: redactSecrets(details) as Record<string, unknown>,
      }),
    agentHosts: config.agentHosts,
  });
  const actor = { name: `certmgr (${userInfo().username})` };
  const print = (view: RotationView) =>
    console.log(command.json ? JSON.stringify(view, null, 2) : formatRotation(view));
  try {
    if (command.kind === 'rotate-stage') {
      print(
        await rotations.stage(
          { files, password: command.password, hosts: command.hosts, reason: command.reason },
          actor,
        ),
      );
      return EXIT.done;
    }
    if (command.kind === 'rotate-status') {
      const current = await rotations.current(command.limit);
      if (!current) {
        console.log('no certificate rotation was ever staged');
        return EXIT.done;
      }
      print(current);
      return EXIT.done;
    }
    const open = (await rotations.current()) ?? undefined;
    if (!open || open.phase === 'completed' || open.phase === 'aborted') {
      console.error('certmgr: no rotation is under way (stage one with -rotate-stage)');
      return EXIT.refused;
    }
    if (command.kind === 'rotate-advance')
      print(
        await rotations.advance(
          open.id,
          {
            reason: command.reason,
            force: command.force,
            ...(command.acknowledge ? { acknowledge: command.acknowledge } : {}),
            cleanup: command.cleanup,
          },
          actor,
        ),
      );
    else print(await rotations.abort(open.id, { reason: command.reason, revert: command.revert }, actor));
    return EXIT.done;
  } catch (error) {
    if (error instanceof DomainError) {
      console.error(`certmgr: refused, nothing changed: ${error.message}`);
      return EXIT.refused;
    }
    throw error;
  } finally {
    await database.close();
  }
}
