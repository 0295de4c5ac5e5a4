import { DomainError, ValidationError } from '../common/domain-error.js';
import { type GateOptions, type MigrationActor, type MigrationDeps } from './migration-deps.js';
import { isBefore, nextPhase, previousPhase, type Phase } from './migration-phase.js';
import { type MigrationStatusReader } from './migration-status.js';
import { type MigrationState, type TransitionKind } from './migration.repository.js';
import { secureRevisionProblem } from './secure-revision.check.js';
import { assessSecureOnly } from './secure-only-gate.js';
import { compactLists, LISTED } from './compact-lists.js';
import { type RolloutWavesRequest } from './secure-rollout.port.js';
import { trustAnchorOf } from './server-certificate.checks.js';
import {
  describeCounts,
  describeStrandedFilter,
  filterStranded,
  someIds,
  strandedCounts,
  strandedRows,
  type StrandedFilter,
} from './stranded-table.js';

/** Stranded agents a 409 carries in full; the rest are counted (the table has them all). */
const STRANDED_IN_ANSWER = LISTED;

export interface AdvanceRequest extends GateOptions {
  to?: Phase;
  reason: string;
  force?: boolean;
  acknowledge?: string[];
  /**
   * With `force`: acknowledges every stranded agent this filter matches (all of a reason, "offline for
   * more than 30 days"), in addition to `acknowledge`. Evaluated at the moment of the step.
   */
  acknowledgeFilter?: StrandedFilter;
  /** `secure_published`: the secure revision to publish, or an already started publish rollout. */
  profile?: string;
  revision?: number;
  rolloutId?: string;
  /** `secure_published`: the waves of the rollout the migration starts (default: one wave). */
  waves?: RolloutWavesRequest;
  /** `secure_published`: take the rollout's current state as good enough. */
  accept?: boolean;
}

export interface RollbackRequest {
  to?: Phase;
  reason: string;
  /** Going back to `plain_only` closes secure: needed when agents are online over it. */
  force?: boolean;
}

/** Advance and rollback: the gates, the listener changes, and the audited record of each step. */
export class MigrationTransitions {
  constructor(
    private readonly deps: MigrationDeps,
    private readonly reader: MigrationStatusReader,
  ) {}

  /** A pending `secure_published` whose rollout completed becomes the phase (seen on any read). */
  async refresh(): Promise<MigrationState> {
    const state = await this.deps.repo.state();
    if (!state.pending || state.phase !== 'dual') return state;
    const rollout = await this.deps.rollouts.progress(state.pending.rolloutId);
    if (rollout?.state !== 'completed') return state;
    await this.record(state, 'secure_published', 'rollout_completed', null, {
      actor: { name: 'system', address: null },
      reason: `rollout ${rollout.id} completed`,
      details: { rollout },
    });
    return this.deps.repo.state();
  }

  async advance(req: AdvanceRequest, actor: MigrationActor): Promise<void> {
    const state = await this.refresh();
    const next = nextPhase(state.phase);
    if (!next) throw new DomainError('migration_at_last_phase', `already at ${state.phase}, the last phase`);
    if (req.to && req.to !== next) {
      throw new DomainError(
        'step_out_of_order',
        req.to === state.phase
          ? `already at ${state.phase}`
          : `advance one phase at a time: from ${state.phase} the next phase is ${next}, not ${req.to}`,
      );
    }
    const done = (details: Record<string, unknown> = {}, forced = false, acknowledged: string[] = []) =>
      this.record(state, next, 'advance', null, { actor, reason: req.reason, details, forced, acknowledged });
    switch (next) {
      case 'dual':
        return this.toDual(req, actor, done);
      case 'secure_published':
        return this.toSecurePublished(state, req, actor);
      case 'secure_only':
        return this.toSecureOnly(req, actor, done);
      case 'plain_only':
        return;
    }
  }

  async rollback(req: RollbackRequest, actor: MigrationActor): Promise<void> {
    const state = await this.refresh();
    // Without a target, a running secure_published advance is withdrawn first (the phase stays dual).
    if (!req.to && state.pending) {
      await this.record(state, state.phase, 'rollback', null, {
        actor,
        reason: req.reason,
        details: {
          withdrawnRollout: state.pending.rolloutId,
          note: 'the rollout itself is not cancelled; cancel it under Rollouts if wanted',
        },
      });
      return;
    }
    const target = req.to ?? previousPhase(state.phase);
    if (!target) throw new DomainError('migration_at_first_phase', 'already at plain_only, the first phase');
    if (!isBefore(target, state.phase))
      throw new DomainError('rollback_target_invalid', `cannot roll back from ${state.phase} to ${target}`);
    const settings = await this.deps.settings.current();
    const details: Record<string, unknown> = {};
    if (target === 'plain_only' && settings.secure.enabled) {
      const onSecure = await this.deps.gate.onlineOverSecure();
      if (onSecure.length > 0 && !req.force) {
        await this.refused(actor, 'rollback', { to: target, reason: req.reason, agents: onSecure });
        throw new DomainError(
          'rollback_would_strand_agents',
          `${onSecure.length} agent(s) are connected over secure and would be cut off by closing it; keep the current phase, or force it with "Force and cut them off" (switchyard-migrate rollback --force)`,
          { agents: onSecure },
        );
      }
      details.cutOff = onSecure;
    }
    // Leaving secure_only: plain listens on every interface again before anything else changes.
    if (state.phase === 'secure_only' && !settings.plain.enabled) {
      await this.deps.settings.change({ plain: { enabled: true } }, actor.name);
      details.plain = 'enabled on every interface again';
    }
    if (target === 'plain_only' && settings.secure.enabled) {
      await this.deps.settings.change({ secure: { enabled: false }, force: true }, actor.name);
      details.secure = 'disabled';
    }
    if (state.phase === 'secure_published' || state.phase === 'secure_only')
      details.note = 'agents keep their secure profile: publish an older revision to move them back';
    await this.record(state, target, 'rollback', null, {
      actor,
      reason: req.reason,
      details,
      forced: req.force ?? false,
    });
  }

  private async toDual(
    req: AdvanceRequest,
    actor: MigrationActor,
    done: (details?: Record<string, unknown>) => Promise<void>,
  ): Promise<void> {
    const checks = await this.reader.dualPreconditions(req);
    const failed = checks.filter((c) => !c.ok);
    if (failed.length > 0) {
      await this.refused(actor, 'advance', { to: 'dual', reason: req.reason, preconditions: failed });
      throw new DomainError(
        'preconditions_not_met',
        `dual needs: ${failed.map((c) => `${c.id}: ${c.reason}`).join('; ')}`,
        { preconditions: checks },
      );
    }
    if (!(await this.deps.settings.current()).secure.enabled)
      await this.deps.settings.change({ secure: { enabled: true } }, actor.name);
    await done({ preconditions: checks });
  }

  private async toSecurePublished(state: MigrationState, req: AdvanceRequest, actor: MigrationActor) {
    const [listener] = await this.reader.preconditions('secure_published', req);
    if (!listener!.ok)
      throw new DomainError('preconditions_not_met', `secure_published needs: ${listener!.reason}`);
    if (state.pending) {
      const rollout = await this.deps.rollouts.progress(state.pending.rolloutId);
      if (!req.accept) {
        throw new DomainError(
          'publish_rollout_not_complete',
          `rollout ${state.pending.rolloutId} is ${rollout?.state ?? 'missing'}: wait for it to complete, or publish anyway to accept it as it stands (switchyard-migrate advance --accept)`,
          { rollout },
        );
      }
      await this.record(state, 'secure_published', 'rollout_accepted', null, {
        actor,
        reason: req.reason,
        details: { rollout },
      });
      return;
    }
    const rolloutId = req.rolloutId ?? (await this.startRollout(req, actor));
    const rollout = await this.deps.rollouts.progress(rolloutId);
    if (!rollout) throw new DomainError('rollout_not_found', `no rollout ${rolloutId}`);
    if (rollout.mode !== 'publish')
      throw new DomainError(
        'rollout_not_publish',
        `rollout ${rolloutId} only synchronizes; a publish rollout is needed`,
      );
    // Checked for every rollout: one prepared here must pass as surely as one handed over.
    if (!req.profile) await this.requireSecureRevision(rollout.profile, rollout.revision);
    const pending = { rolloutId, profile: rollout.profile, revision: rollout.revision, since: new Date() };
    await this.record(state, 'dual', 'rollout_started', pending, {
      actor,
      reason: req.reason,
      details: { rollout },
    });
    await this.refresh();
  }

  /** The chosen revision, or (neither given) a secure revision of the profile in use prepared now. */
  private async startRollout(req: AdvanceRequest, actor: MigrationActor): Promise<string> {
    if ((req.profile === undefined) !== (req.revision === undefined)) {
      throw new ValidationError([
        { field: 'profile', message: 'give "profile" and "revision" together (or neither, or "rolloutId")' },
      ]);
    }
    if (req.profile !== undefined) await this.requireSecureRevision(req.profile, req.revision!);
    return this.deps.rollouts.start({
      profile: req.profile,
      revision: req.revision,
      waves: req.waves,
      actor: actor.name,
    });
  }

  private async requireSecureRevision(profile: string, revision: number): Promise<void> {
    const stored = await this.deps.revision(profile, revision);
    if (!stored)
      throw new DomainError('profile_revision_not_found', `no revision ${revision} of profile "${profile}"`);
    const chainPem = await this.deps.activeChainPem();
    const anchor = chainPem ? trustAnchorOf(chainPem) : undefined;
    if (!anchor) throw new DomainError('no_server_certificate', 'there is no active server certificate');
    const problem = secureRevisionProblem(stored, anchor);
    if (problem)
      throw new DomainError(
        'secure_revision_unusable',
        `${profile} revision ${revision} cannot move agents to secure: ${problem}`,
      );
  }

  private async toSecureOnly(
    req: AdvanceRequest,
    actor: MigrationActor,
    done: (details: Record<string, unknown>, forced: boolean, acknowledged: string[]) => Promise<void>,
  ): Promise<void> {
    const [listener] = await this.reader.preconditions('secure_only', req);
    if (!listener!.ok)
      throw new DomainError('preconditions_not_met', `secure_only needs: ${listener!.reason}`);
    const { now, agents } = await this.deps.gate.gateFacts();
    const gate = assessSecureOnly(agents, now, this.reader.gateOptions(req).minWindowHours);
    const ids = gate.stranded.map((s) => s.agentId);
    if (ids.length > 0) {
      const counts = strandedCounts(gate.stranded);
      if (!req.force) {
        await this.refused(actor, 'advance', {
          to: 'secure_only',
          reason: req.reason,
          strandedCount: ids.length,
          counts: counts.byReason,
          stranded: gate.stranded.slice(0, STRANDED_IN_ANSWER),
        });
        throw new DomainError(
          'would_strand_agents',
          `${ids.length} agent(s) would be stranded by closing the plain listener (secure only): ${someIds(ids)} (${describeCounts(counts)}); exempt them, wait for them, or force it: tick them, then "Force and cut them off" (switchyard-migrate advance --force --acknowledge ID,ID…)`,
          {
            strandedCount: ids.length,
            counts: counts.byReason,
            stranded: gate.stranded.slice(0, STRANDED_IN_ANSWER),
            agents: ids.slice(0, STRANDED_IN_ANSWER),
          },
        );
      }
      const given = new Set(req.acknowledge ?? []);
      if (req.acknowledgeFilter) {
        const rows = strandedRows(gate.stranded, agents);
        for (const r of filterStranded(rows, req.acknowledgeFilter, now)) given.add(r.agentId);
      }
      const stranded = new Set(ids);
      const missing = ids.filter((id) => !given.has(id));
      const extra = (req.acknowledge ?? []).filter((id) => !stranded.has(id));
      if (missing.length > 0 || extra.length > 0) {
        throw new ValidationError([
          {
            field: 'acknowledge',
            message: [
              missing.length > 0
                ? `missing stranded agent(s)${req.acknowledgeFilter ? ` (not ${describeStrandedFilter(req.acknowledgeFilter)})` : ''}: ${someIds(missing)}`
                : '',
              extra.length > 0 ? `not stranded, remove: ${someIds(extra)}` : '',
            ]
              .filter(Boolean)
              .join('; '),
          },
        ]);
      }
    }
    // Our gate passed (or was acknowledged): the settings' own strand check must not block it.
    if ((await this.deps.settings.current()).plain.enabled)
      await this.deps.settings.change({ plain: { enabled: false }, force: true }, actor.name);
    await done({ stranded: gate.stranded, breakdown: gate.breakdown }, ids.length > 0, ids);
  }

  private async record(
    state: MigrationState,
    to: Phase,
    kind: TransitionKind,
    pending: MigrationState['pending'],
    t: {
      actor: MigrationActor;
      reason: string;
      details?: Record<string, unknown>;
      forced?: boolean;
      acknowledged?: string[];
    },
  ): Promise<void> {
    // The step's facts (stranded agents, breakdown) are kept readable at 10,000 agents: lists are cut to
    // their first entries plus a count. The acknowledged ids are kept whole: they are what was agreed to.
    const details = compactLists(t.details ?? {});
    const ok = await this.deps.repo.transition(
      { phase: state.phase, rolloutId: state.pending?.rolloutId ?? null },
      { phase: to, pending },
      {
        actor: t.actor.name,
        kind,
        from: state.phase,
        to,
        reason: t.reason,
        forced: t.forced ?? false,
        acknowledged: t.acknowledged ?? [],
        details,
      },
    );
    if (!ok)
      throw new DomainError(
        'migration_changed_meanwhile',
        'the migration was changed by someone else at the same time; reload and retry',
      );
    await this.deps.audit(
      t.actor,
      `migration ${kind}`,
      'success',
      compactLists({
        from: state.phase,
        to,
        reason: t.reason,
        forced: t.forced ?? false,
        acknowledged: t.acknowledged ?? [],
        ...details,
      }),
    );
  }

  private refused(actor: MigrationActor, action: string, details: Record<string, unknown>): Promise<void> {
    return this.deps.audit(actor, `migration ${action}`, 'refused', compactLists(details));
  }
}
