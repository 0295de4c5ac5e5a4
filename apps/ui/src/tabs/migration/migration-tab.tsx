import type { MigrationStatus } from '../../../../../libs/api/migration.js';
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';
import { phaseName, STEP_INTO } from '../../components/phase-words.js';
import { useLoad } from '../../components/use-load.js';
import { useApp } from '../../live-context.js';
import { useLiveRollouts } from '../rollouts/use-live-rollouts.js';
import { ExemptionsSection } from './exemptions-section.js';
import { PhaseStepper } from './phase-stepper.js';
import { PreconditionsList } from './preconditions-list.js';
import { StrandedSection } from './stranded-section.js';
import { UpgradeAgentsSection } from './upgrade-agents-section.js';

/** Exemptions listed under the table; more are counted (and each is in the audit log). */
const EXEMPTIONS_SHOWN = 100;
import { TransitionDialog } from './transition-dialog.js';

const BREAKDOWN: Array<[keyof MigrationStatus['breakdown'], string]> = [
  ['secure', 'on secure'],
  ['plainButAble', 'on plain, able to do wss'],
  ['plainNotAble', 'on plain, cannot do wss'],
  ['offline', 'offline'],
  ['exempt', 'exempt'],
];

/** "a, b" or "a, b, … (1,000 agents acknowledged)": the history stays one line per step. */
function acknowledgedWords(t: MigrationStatus['history'][number]): string {
  const total = t.acknowledgedCount ?? t.acknowledged.length;
  if (total <= 5) return t.acknowledged.join(', ');
  return `${t.acknowledged.slice(0, 3).join(', ')}, … (${total.toLocaleString('en-US')} agents acknowledged)`;
}

/** The plain → secure migration (docs/design.md §7): phases, the next step's checks, who would be stranded. */
export function MigrationTab() {
  const { session } = useApp();
  const canWrite = session.can('migration.write');
  // The stranded agents and exemptions come paged (StrandedSection, ExemptionsSection): at 10,000 agents
  // the status carries their counts, not their lists.
  const status = useLoad(() =>
    api<MigrationStatus>('GET', `/api/migration?strandedLimit=0&exemptionsLimit=${EXEMPTIONS_SHOWN}`),
  );
  // Bumped with each reload of the status: the stranded table follows it.
  const [generation, setGeneration] = useState(0);
  const reload = () => {
    void status.reload();
    setGeneration((g) => g + 1);
  };
  const [dialog, setDialog] = useState<'advance' | 'rollback' | undefined>();
  const [message, setMessage] = useState<string | undefined>();

  // The secure rollout's progress arrives over the live socket: read the phase again when it moves.
  useLiveRollouts(
    (pushed) => {
      const pending = status.value?.pending?.rolloutId;
      if (pending && pushed.some((r) => r.id === pending)) reload();
    },
    [status.value?.pending?.rolloutId],
  );

  const s = status.value;
  return (
    <section aria-labelledby="migration-title">
      <h1 id="migration-title">Plain → secure migration</h1>
      {status.error && <Notice kind="error">{status.error}</Notice>}
      {message && <Notice kind="ok">{message}</Notice>}
      {s && (
        <>
          <PhaseStepper phase={s.phase} pending={s.pending !== null} />
          <dl class="facts">
            <dt>Phase</dt>
            <dd data-testid="migration-phase" data-phase={s.phase}>
              {phaseName(s.phase)}
            </dd>
            <dt>Plain listener</dt>
            <dd>{s.listeners.plain}</dd>
            <dt>Secure listener</dt>
            <dd>{s.listeners.secure}</dd>
            {s.pending && (
              <>
                <dt>Secure rollout</dt>
                <dd data-testid="migration-pending">
                  <a href={`#/rollouts/${s.pending.rolloutId}`}>
                    {s.pending.rollout
                      ? `${s.pending.rollout.profile} r${s.pending.rollout.revision}: ${s.pending.rollout.state}`
                      : s.pending.rolloutId}
                  </a>{' '}
                  <span class="muted">since {utc(s.pending.since)}</span>
                </dd>
              </>
            )}
            <dt>Agents</dt>
            <dd>
              {BREAKDOWN.map(
                ([k, label]) => `${s.breakdown[k].length.toLocaleString('en-US')} ${label}`,
              ).join(' · ')}
            </dd>
          </dl>
          {canWrite && (
            <div class="actions">
              {s.next && (
                <button type="button" onClick={() => setDialog('advance')}>
                  {STEP_INTO[s.next]}…
                </button>
              )}
              {(s.previous || s.pending) && (
                <button type="button" class="ghost" onClick={() => setDialog('rollback')}>
                  {s.pending && !s.previous ? 'Withdraw…' : 'Roll back…'}
                </button>
              )}
            </div>
          )}
          {s.next && <PreconditionsList next={s.next} checks={s.preconditions} />}
        </>
      )}
      <UpgradeAgentsSection canUpgrade={session.role === 'admin'} reloadKey={generation} />
      {/* Loaded beside the status, not after it: each computes the gate over every agent. */}
      <StrandedSection
        minWindowHours={s?.gate.minWindowHours}
        canWrite={canWrite}
        reloadKey={generation}
        onExempted={(text) => {
          setMessage(text);
          reload();
        }}
      />
      {s && (
        <>
          <ExemptionsSection
            exemptions={s.exemptions}
            total={s.exemptionCount ?? s.exemptions.length}
            canWrite={canWrite}
            onChanged={reload}
          />
          <section aria-labelledby="history-title">
            <h2 id="history-title">History</h2>
            <table class="grid" aria-label="Migration history">
              <thead>
                <tr>
                  <th scope="col">When (UTC)</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {s.history.map((t) => (
                  <tr key={t.id}>
                    <td>{utc(t.at)}</td>
                    <td>{t.actor}</td>
                    <td>
                      {t.kind} {phaseName(t.from)} → {phaseName(t.to)}
                      {t.forced && <strong> (forced: {acknowledgedWords(t)})</strong>}
                    </td>
                    <td>{t.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          {dialog && (
            <TransitionDialog
              kind={dialog}
              status={s}
              onClose={() => setDialog(undefined)}
              onDone={(text) => {
                setDialog(undefined);
                setMessage(text);
                reload();
              }}
            />
          )}
        </>
      )}
    </section>
  );
}
