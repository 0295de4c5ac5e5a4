import { effectivePlainBinding } from '../settings/websocket-settings.js';
import { checkPortsDistinct, checkPortsFree } from './listener-ports.checks.js';
import { type GateOptions, type MigrationDeps } from './migration-deps.js';
import { nextPhase, previousPhase, type Phase } from './migration-phase.js';
import { type Exemption, type MigrationState, type Transition } from './migration.repository.js';
import { type Precondition } from './precondition.js';
import { type RolloutProgress } from './secure-rollout.port.js';
import {
  assessSecureOnly,
  type AgentBreakdown,
  type GateResult,
  type StrandedAgent,
} from './secure-only-gate.js';
import { centralHostsOf } from './secure-revision.check.js';
import { checkChain, checkNames, checkValidity, parseChain } from './server-certificate.checks.js';
import {
  describeCounts,
  someIds,
  strandedCounts,
  strandedRows,
  type StrandedCounts,
  type StrandedRow,
} from './stranded-table.js';

export interface MigrationStatus {
  phase: Phase;
  next: Phase | null;
  previous: Phase | null;
  /** A `secure_published` advance waiting for its rollout. */
  pending: { rolloutId: string; since: Date; rollout: RolloutProgress | null } | null;
  preconditions: Precondition[];
  breakdown: AgentBreakdown;
  /** Who `secure_only` would strand right now, and why (the first `strandedLimit` when asked for fewer). */
  stranded: StrandedAgent[];
  /** How many, by reason: what a screen shows first (the table is `GET /api/migration/stranded`). */
  strandedCounts: StrandedCounts;
  /** All exemptions, or the first `exemptionsLimit` of them. */
  exemptions: Exemption[];
  exemptionCount: number;
  listeners: { plain: string; secure: string };
  gate: { minCertificateDays: number; minWindowHours: number };
  history: Transition[];
}

/** Reads the phase and evaluates what the next step needs; no side effects. */
export class MigrationStatusReader {
  constructor(private readonly deps: MigrationDeps) {}

  gateOptions(options: GateOptions): { minCertificateDays: number; minWindowHours: number } {
    return {
      minCertificateDays: options.minCertificateDays ?? this.deps.config.minCertificateDays,
      minWindowHours: options.windowHours ?? this.deps.config.minWindowHours,
    };
  }

  state(): Promise<MigrationState> {
    return this.deps.repo.state();
  }

  async secureOnlyGate(options: GateOptions): Promise<GateResult> {
    const { now, agents } = await this.deps.gate.gateFacts();
    return assessSecureOnly(agents, now, this.gateOptions(options).minWindowHours);
  }

  /** Every stranded agent with what the table filters on, and the database's clock. */
  async strandedTable(options: GateOptions): Promise<{ now: Date; rows: StrandedRow[] }> {
    const { now, agents } = await this.deps.gate.gateFacts();
    const gate = assessSecureOnly(agents, now, this.gateOptions(options).minWindowHours);
    return { now, rows: strandedRows(gate.stranded, agents) };
  }

  async status(
    state: MigrationState,
    options: GateOptions & { strandedLimit?: number; exemptionsLimit?: number } = {},
  ): Promise<MigrationStatus> {
    const gate = await this.secureOnlyGate(options);
    const settings = await this.deps.settings.current();
    const plain = effectivePlainBinding(settings);
    const next = nextPhase(state.phase);
    const rollout = state.pending
      ? ((await this.deps.rollouts.progress(state.pending.rolloutId)) ?? null)
      : null;
    return {
      phase: state.phase,
      next,
      previous: previousPhase(state.phase),
      pending: state.pending && { rolloutId: state.pending.rolloutId, since: state.pending.since, rollout },
      preconditions: next ? await this.preconditions(next, options, gate, rollout, state) : [],
      breakdown: gate.breakdown,
      stranded:
        options.strandedLimit === undefined ? gate.stranded : gate.stranded.slice(0, options.strandedLimit),
      strandedCounts: strandedCounts(gate.stranded),
      exemptions: await this.deps.repo.exemptions({ limit: options.exemptionsLimit, offset: 0 }),
      exemptionCount: await this.deps.repo.exemptionCount(),
      listeners: {
        plain: plain ? `${plain.address}:${plain.port}` : 'closed',
        secure: settings.secure.enabled ? `${settings.secure.bindAddress}:${settings.secure.port}` : 'off',
      },
      gate: this.gateOptions(options),
      history: await this.deps.repo.history(),
    };
  }

  async preconditions(
    target: Phase,
    options: GateOptions,
    gate?: GateResult,
    rollout?: RolloutProgress | null,
    state?: MigrationState,
  ): Promise<Precondition[]> {
    switch (target) {
      case 'plain_only':
        return [];
      case 'dual':
        return this.dualPreconditions(options);
      case 'secure_published':
        return [
          await this.secureListener(),
          this.rolloutPrecondition(state?.pending ?? null, rollout ?? null),
        ];
      case 'secure_only': {
        const g = gate ?? (await this.secureOnlyGate(options));
        return [
          await this.secureListener(),
          g.stranded.length === 0
            ? {
                id: 'no_stranded_agents',
                ok: true,
                reason: `every registered, non-exempt agent is on secure (${g.breakdown.secure.length} secure, ${g.breakdown.exempt.length} exempt)`,
              }
            : {
                id: 'no_stranded_agents',
                ok: false,
                reason: `${g.stranded.length} agent(s) would be stranded: ${someIds(g.stranded.map((s) => s.agentId))} (${describeCounts(strandedCounts(g.stranded))})`,
              },
        ];
      }
    }
  }

  async dualPreconditions(options: GateOptions): Promise<Precondition[]> {
    const { minCertificateDays } = this.gateOptions(options);
    const checks: Precondition[] = [];
    const chainPem = await this.deps.activeChainPem();
    const chain = chainPem ? parseChain(chainPem) : [];
    if (chain.length === 0) {
      checks.push({ id: 'certificate_validity', ok: false, reason: 'there is no active server certificate' });
    } else {
      const hosts = [
        ...new Set([...this.deps.agentHosts, ...centralHostsOf(await this.deps.gate.profileCentralHosts())]),
      ];
      checks.push(
        checkValidity(chain, await this.deps.repo.now(), minCertificateDays),
        checkChain(chain),
        checkNames(chain[0]!, hosts),
      );
    }
    const settings = await this.deps.settings.current();
    checks.push(checkPortsDistinct(settings, this.deps.adminPort));
    checks.push(await checkPortsFree(settings, await this.deps.boundListeners()));
    return checks;
  }

  async secureListener(): Promise<Precondition> {
    const s = (await this.deps.settings.current()).secure;
    return s.enabled
      ? { id: 'secure_listener', ok: true, reason: `enabled on ${s.bindAddress}:${s.port}` }
      : {
          id: 'secure_listener',
          ok: false,
          reason: 'the secure listener is off (roll back to plain_only and advance to dual)',
        };
  }

  private rolloutPrecondition(
    pending: MigrationState['pending'],
    rollout: RolloutProgress | null,
  ): Precondition {
    if (!pending)
      return {
        id: 'secure_rollout',
        ok: false,
        reason:
          'not started: "Publish the secure profile" prepares a secure revision of the profile in use and publishes it to all agents; or choose a revision you prepared (switchyard-migrate advance --profile NAME --revision N) or a rollout you started (--rollout ID)',
      };
    if (!rollout)
      return { id: 'secure_rollout', ok: false, reason: `rollout ${pending.rolloutId} not found` };
    const counts = Object.entries(rollout.agents)
      .map(([state, n]) => `${n} ${state}`)
      .join(', ');
    return {
      id: 'secure_rollout',
      ok: rollout.state === 'completed',
      reason: `rollout ${rollout.id} of ${rollout.profile} revision ${rollout.revision} is ${rollout.state}${counts ? ` (${counts})` : ''}${rollout.state === 'completed' ? '' : '; wait for it, or publish anyway to accept it as it stands (switchyard-migrate advance --accept)'}`,
    };
  }
}
