import type { MigrationStatus, StrandedAgent } from '../../../../../libs/api/migration.js';
import {
  MIGRATION_PHASES as PHASES,
  type MigrationPhase as Phase,
} from '../../../../../libs/api/migration-phases.js';
import type { ProfileListItem, RevisionSummary } from '../../../../../libs/api/profiles.js';
import { useEffect, useState } from 'preact/hooks';
import { type ApiErrorCode } from '../../../../../libs/api/errors/index.js';
import { api, type ApiError, isRefusal } from '../../api/client.js';
import { Dialog } from '../../components/dialog.js';
import { DialogActions } from '../../components/dialog-actions.js';
import { issuesOf, messageOf, hasUnplacedIssue } from '../../components/errors.js';
import { Notice } from '../../components/notice.js';
import { phaseName, rollBackTo, STEP_INTO } from '../../components/phase-words.js';
import { described, Field } from '../parameters/field.js';
import { StrandedList } from './stranded-list.js';
import { REASON_WORDS, type ReasonCode } from './stranded-types.js';

/** Up to this many stranded agents are listed and acknowledged one by one; more are acknowledged by count. */
const LISTED_ONE_BY_ONE = 10;

/** How many the 409 says would be stranded, by reason (it lists only the first of them). */
// Refusals that list the agents a step would strand: the secure-only gate, the rollback, and the
// listener change a step makes.
const STRANDING: ApiErrorCode[] = [
  'would_strand_agents',
  'rollback_would_strand_agents',
  'settings_would_strand_agents',
];

function countsOf(e: ApiError, listed: number): { total: number; byReason: Record<string, number> } {
  const total = typeof e.body.strandedCount === 'number' ? e.body.strandedCount : listed;
  const byReason =
    e.body.counts && typeof e.body.counts === 'object' ? (e.body.counts as Record<string, number>) : {};
  return { total, byReason };
}

/** An agent a 409 names: the gate's reasons (advance), or "connected over secure now" (rollback). */
type NamedAgent = Pick<StrandedAgent, 'agentId'> & { reasons: Array<{ code: string; message: string }> };

/** The 409's agents: the advance gives reasons, the rollback only ids (or rows with an id). */
function strandedOf(e: ApiError): NamedAgent[] {
  if (Array.isArray(e.body.stranded)) return e.body.stranded as NamedAgent[];
  const agents = Array.isArray(e.body.agents) ? (e.body.agents as unknown[]) : [];
  return agents.map((a) => {
    const id =
      typeof a === 'string'
        ? a
        : String((a as { id?: string; agentId?: string }).agentId ?? (a as { id?: string }).id);
    return { agentId: id, reasons: [{ code: 'secure', message: 'connected over secure now' }] };
  });
}

/**
 * Advance or roll back one phase, with a reason (audited). When central answers that agents would be
 * stranded, they are listed and a forced move needs each of them acknowledged explicitly.
 */
export function TransitionDialog(props: {
  kind: 'advance' | 'rollback';
  status: MigrationStatus;
  onClose: () => void;
  onDone: (text: string) => void;
}) {
  const { status } = props;
  const target = props.kind === 'advance' ? status.next : status.previous;
  const [to, setTo] = useState<Phase | null>(target);
  const [reason, setReason] = useState('');
  const [profiles, setProfiles] = useState<ProfileListItem[]>([]);
  const [profile, setProfile] = useState('');
  const [revisions, setRevisions] = useState<RevisionSummary[]>([]);
  const [revision, setRevision] = useState('');
  const [stranded, setStranded] = useState<NamedAgent[] | undefined>();
  const [counts, setCounts] = useState<{ total: number; byReason: Record<string, number> } | undefined>();
  const [allAcknowledgedByCount, setAllAcknowledgedByCount] = useState(false);
  const [acknowledged, setAcknowledged] = useState<Set<string>>(new Set());
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const needsRevision = props.kind === 'advance' && to === 'secure_published' && !status.pending;

  useEffect(() => {
    if (needsRevision) void api<ProfileListItem[]>('GET', '/api/profiles').then(setProfiles);
  }, [needsRevision]);
  useEffect(() => {
    if (!profile) return;
    void api<RevisionSummary[]>('GET', `/api/profiles/${encodeURIComponent(profile)}/revisions`).then(
      (list) => {
        setRevisions(list);
        setRevision(list[0] ? String(list[0].revision) : '');
      },
    );
  }, [profile]);

  const send = async (force: boolean) => {
    setBusy(true);
    const body: Record<string, unknown> = { reason };
    if (to) body.to = to;
    if (needsRevision && profile && revision) Object.assign(body, { profile, revision: Number(revision) });
    if (props.kind === 'advance' && to === 'secure_published' && status.pending) body.accept = true;
    if (force) {
      body.force = true;
      if (props.kind === 'advance' && many) body.acknowledgeFilter = {};
      else if (props.kind === 'advance') body.acknowledge = [...acknowledged];
    }
    try {
      await api('POST', `/api/migration/${props.kind}`, body);
      props.onDone(to ? `${props.kind === 'advance' ? STEP_INTO[to] : rollBackTo(to)}: done.` : 'Done.');
    } catch (e) {
      if (isRefusal(e, ...STRANDING)) {
        const list = strandedOf(e);
        setStranded(list);
        setCounts(countsOf(e, list.length));
        setAcknowledged(new Set());
        setAllAcknowledgedByCount(false);
        setError(e.message);
        setIssues({});
      } else {
        setIssues(issuesOf(e));
        setError(messageOf(e));
      }
    } finally {
      setBusy(false);
    }
  };

  const title = !to ? 'No further step' : props.kind === 'advance' ? STEP_INTO[to] : rollBackTo(to);
  // Many stranded agents: counts by reason, one acknowledgement of them all (the table lists them).
  const many = props.kind === 'advance' && counts !== undefined && counts.total > LISTED_ONE_BY_ONE;
  const allAcknowledged = many
    ? allAcknowledgedByCount
    : stranded !== undefined && stranded.every((s) => acknowledged.has(s.agentId));
  return (
    <Dialog title={title} onClose={props.onClose}>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void send(false);
        }}
      >
        {props.kind === 'rollback' && (
          <Field id="mig-to" label="Roll back to" issue={issues.to}>
            <select
              {...described('mig-to', issues.to)}
              value={to ?? ''}
              onChange={(e) => setTo(e.currentTarget.value as Phase)}
            >
              {PHASES.slice(0, PHASES.indexOf(status.phase)).map((p) => (
                <option key={p} value={p}>
                  {phaseName(p)}
                </option>
              ))}
            </select>
          </Field>
        )}
        {needsRevision && (
          <>
            <Field
              id="mig-profile"
              label="Secure profile"
              issue={issues.profile}
              hint="or a revision of yours: central.websocket.secure=true and a truststore with the server anchor"
            >
              <select
                {...described('mig-profile', issues.profile)}
                value={profile}
                onChange={(e) => setProfile(e.currentTarget.value)}
              >
                <option value="">(central prepares and publishes one)</option>
                {profiles
                  .filter((p) => p.latestRevision)
                  .map((p) => (
                    <option key={p.name} value={p.name}>
                      {p.name}
                    </option>
                  ))}
              </select>
            </Field>
            {profile && (
              <Field id="mig-revision" label="Revision to publish" issue={issues.revision}>
                <select
                  {...described('mig-revision', issues.revision)}
                  value={revision}
                  onChange={(e) => setRevision(e.currentTarget.value)}
                >
                  {revisions.map((r) => (
                    <option key={r.revision} value={String(r.revision)}>
                      r{r.revision}
                    </option>
                  ))}
                </select>
              </Field>
            )}
          </>
        )}
        <Field id="mig-reason" label="Reason (audited)" issue={issues.reason}>
          <textarea
            {...described('mig-reason', issues.reason)}
            rows={2}
            required
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </Field>
        {error && !stranded && hasUnplacedIssue(issues, ['to', 'profile', 'revision', 'reason']) && (
          <Notice kind="error">{error}</Notice>
        )}
        {stranded ? (
          <section class="notice notice-warn stranded" role="alert" aria-labelledby="mig-stranded-title">
            <h2 id="mig-stranded-title">
              Refused: {(counts?.total ?? stranded.length).toLocaleString('en-US')} agent(s) would be stranded
            </h2>
            {many && counts ? (
              <>
                <ul aria-label="Stranded agents by reason">
                  {Object.entries(counts.byReason)
                    .filter(([, v]) => v > 0)
                    .sort((a, b) => b[1] - a[1])
                    .map(([code, v]) => (
                      <li key={code} data-reason={code}>
                        {v.toLocaleString('en-US')} {REASON_WORDS[code as ReasonCode] ?? code}
                      </li>
                    ))}
                </ul>
                <p class="muted">
                  Each agent and why is in the table under “Would be stranded by closing the plain listener”,
                  where all of a reason or a filter can be exempted at once.
                </p>
                <label class="inline">
                  <input
                    type="checkbox"
                    checked={allAcknowledgedByCount}
                    onChange={(e) => setAllAcknowledgedByCount(e.currentTarget.checked)}
                  />{' '}
                  Cut off all {counts.total.toLocaleString('en-US')} stranded agents
                </label>
              </>
            ) : (
              <>
                <p>{error}</p>
                <StrandedList agents={stranded} label="Agents this step would strand" />
                <fieldset>
                  <legend>To force it, acknowledge each agent that will be cut off</legend>
                  {stranded.map((s) => (
                    <label class="inline" key={s.agentId}>
                      <input
                        type="checkbox"
                        checked={acknowledged.has(s.agentId)}
                        onChange={(e) => {
                          const next = new Set(acknowledged);
                          if (e.currentTarget.checked) next.add(s.agentId);
                          else next.delete(s.agentId);
                          setAcknowledged(next);
                        }}
                      />{' '}
                      Cut off {s.agentId}
                    </label>
                  ))}
                </fieldset>
              </>
            )}
            {issues.acknowledge && <small class="issue">{issues.acknowledge}</small>}
            <div class="actions">
              <button
                type="button"
                class="danger"
                disabled={busy || !allAcknowledged || !reason.trim()}
                onClick={() => void send(true)}
              >
                Force and cut them off
              </button>
              <button type="button" class="ghost" onClick={props.onClose}>
                Keep the current phase
              </button>
            </div>
          </section>
        ) : (
          <DialogActions
            disabled={busy || !reason.trim() || (needsRevision && profile !== '' && !revision)}
            onCancel={props.onClose}
          >
            {props.kind === 'advance' ? 'Advance' : 'Roll back'}
          </DialogActions>
        )}
      </form>
    </Dialog>
  );
}
