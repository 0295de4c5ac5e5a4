import type { ProfileListItem, RevisionSummary } from '../../../../../libs/api/profiles.js';
import type { RolloutDetail, RolloutPreview } from '../../../../../libs/api/rollouts.js';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client.js';
import { messageOf } from '../../components/errors.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';
import { go } from '../../route.js';
import { described, Field } from '../parameters/field.js';
import { controlOf, INITIAL_VALUES, rolloutRequest, type RolloutFormValues } from './rollout-request.js';
import { RolloutPreviewPanel } from './rollout-preview.js';
import './rollout-form.css';

/** Start a rollout: what (profile revision, mode), to whom (targets), how (waves, thresholds). */
export function CreateRolloutForm() {
  const profiles = useLoad(() => api<ProfileListItem[]>('GET', '/api/profiles'));
  const [v, setV] = useState<RolloutFormValues>(INITIAL_VALUES);
  const [revisions, setRevisions] = useState<RevisionSummary[]>([]);
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  // The preview on screen, with the request it was taken for (without the seed it chose).
  const [preview, setPreview] = useState<{ request: string; result: RolloutPreview } | undefined>();
  const [previewing, setPreviewing] = useState(false);
  const set = <K extends keyof RolloutFormValues>(k: K, value: RolloutFormValues[K]) =>
    setV((old) => ({ ...old, [k]: value }));

  // The first profile with a revision is a sensible start; its newest revision too.
  useEffect(() => {
    const first = profiles.value?.find((p) => p.latestRevision);
    if (first && !v.profile) set('profile', first.name);
  }, [profiles.value]);
  useEffect(() => {
    if (!v.profile) return;
    void api<RevisionSummary[]>('GET', `/api/profiles/${encodeURIComponent(v.profile)}/revisions`).then(
      (list) => {
        setRevisions(list);
        set('revision', list[0] ? String(list[0].revision) : '');
      },
    );
  }, [v.profile]);

  const showRefusal = (err: unknown) => {
    const byControl: Record<string, string> = {};
    if (err instanceof ApiError) for (const i of err.issues) byControl[controlOf(i.field)] ??= i.message;
    setIssues(byControl);
    setError(Object.keys(byControl).length ? undefined : messageOf(err));
  };
  const request = JSON.stringify(rolloutRequest(v));
  const current = preview && preview.request === request ? preview.result : undefined;

  /** Previews the form as it stands; `reshuffle` draws a new seed instead of keeping the one shown. */
  const runPreview = async (reshuffle: boolean) => {
    setPreviewing(true);
    try {
      const keep = reshuffle ? undefined : (preview?.result.waveSeed ?? undefined);
      const result = await api<RolloutPreview>('POST', '/api/rollouts/preview', rolloutRequest(v, keep));
      setPreview({ request, result });
      setIssues({});
      setError(undefined);
    } catch (err) {
      showRefusal(err);
    } finally {
      setPreviewing(false);
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      // Started from an up-to-date preview, the rollout gets the very waves it showed.
      const body = rolloutRequest(v, current?.waveSeed ?? undefined);
      const created = await api<RolloutDetail>('POST', '/api/rollouts', body);
      go('rollouts', created.id);
    } catch (err) {
      showRefusal(err);
    } finally {
      setBusy(false);
    }
  };

  const radio = <K extends 'targetKind' | 'waveKind' | 'errorKind' | 'waveOrder'>(
    k: K,
    value: RolloutFormValues[K],
    label: string,
  ) => (
    <label class="inline">
      <input type="radio" name={k} checked={v[k] === value} onChange={() => set(k, value)} /> {label}
    </label>
  );

  return (
    <section aria-labelledby="new-rollout-title">
      <h1 id="new-rollout-title">New rollout</h1>
      {profiles.error && <Notice kind="error">{profiles.error}</Notice>}
      <form class="settings" onSubmit={(e) => void submit(e)}>
        <fieldset>
          <legend>What</legend>
          <Field id="ro-profile" label="Profile" issue={issues.profile}>
            <select
              {...described('ro-profile', issues.profile)}
              value={v.profile}
              onChange={(e) => set('profile', e.currentTarget.value)}
            >
              <option value="">(choose)</option>
              {(profiles.value ?? []).map((p) => (
                <option key={p.name} value={p.name} disabled={!p.latestRevision}>
                  {p.name}
                  {p.latestRevision ? '' : ' (no revision yet)'}
                </option>
              ))}
            </select>
          </Field>
          <Field id="ro-revision" label="Revision" issue={issues.revision}>
            <select
              {...described('ro-revision', issues.revision)}
              value={v.revision}
              onChange={(e) => set('revision', e.currentTarget.value)}
            >
              {revisions.map((r) => (
                <option key={r.revision} value={String(r.revision)}>
                  r{r.revision}
                </option>
              ))}
            </select>
          </Field>
          <Field
            id="ro-mode"
            label="Mode"
            issue={issues.mode}
            hint="publish activates; synchronize only stages"
          >
            <select
              {...described('ro-mode', issues.mode)}
              value={v.mode}
              onChange={(e) => set('mode', e.currentTarget.value as RolloutFormValues['mode'])}
            >
              <option value="publish">publish</option>
              <option value="synchronize">synchronize</option>
            </select>
          </Field>
        </fieldset>
        <fieldset>
          <legend>Targets</legend>
          <div role="radiogroup" aria-label="Targets">
            {radio('targetKind', 'all', 'All agents')}
            {radio('targetKind', 'groups', 'Groups')}
            {radio('targetKind', 'agentIds', 'Agent ids')}
          </div>
          {v.targetKind !== 'all' && (
            <Field
              id="ro-targets"
              label={v.targetKind === 'groups' ? 'Group names to target' : 'Agent ids to target'}
              issue={issues.targets}
              hint="separated by commas or spaces"
            >
              <input
                {...described('ro-targets', issues.targets)}
                value={v.targetList}
                onInput={(e) => set('targetList', e.currentTarget.value)}
              />
            </Field>
          )}
          {v.targetKind === 'all' && issues.targets && (
            <small class="issue" role="alert">
              {issues.targets}
            </small>
          )}
        </fieldset>
        <fieldset>
          <legend>Waves and thresholds</legend>
          <div role="radiogroup" aria-label="Waves by">
            {radio('waveKind', 'percentages', 'Percentages')}
            {radio('waveKind', 'sizes', 'Sizes')}
          </div>
          <Field
            id="ro-waves"
            label={v.waveKind === 'percentages' ? 'Wave percentages' : 'Wave sizes'}
            issue={issues.waves}
            hint={
              v.waveKind === 'percentages'
                ? 'e.g. 5, 25, 70 (adding up to 100)'
                : 'e.g. 1, 10, 100 (the last wave takes the rest)'
            }
          >
            <input
              {...described('ro-waves', issues.waves)}
              value={v.waveList}
              onInput={(e) => set('waveList', e.currentTarget.value)}
            />
          </Field>
          <div role="radiogroup" aria-label="Agents go into waves">
            {radio('waveOrder', 'random', 'Agents drawn at random')}
            {radio('waveOrder', 'ordered', 'Agents taken by id')}
          </div>
          <Field
            id="ro-success"
            label="Success threshold (%)"
            issue={issues.successThresholdPercent}
            hint="share of a wave that must succeed before the next"
          >
            <input
              {...described('ro-success', issues.successThresholdPercent)}
              inputMode="numeric"
              value={v.successThresholdPercent}
              onInput={(e) => set('successThresholdPercent', e.currentTarget.value)}
            />
          </Field>
          <label class="inline">
            <input
              type="checkbox"
              checked={v.pauseBetweenWaves}
              onChange={(e) => set('pauseBetweenWaves', e.currentTarget.checked)}
            />{' '}
            Pause for approval between waves
          </label>
          <div role="radiogroup" aria-label="Error threshold as">
            {radio('errorKind', 'count', 'Failed agents (count)')}
            {radio('errorKind', 'percent', 'Failed agents (%)')}
          </div>
          <Field
            id="ro-error"
            label="Error threshold"
            issue={issues.errorThreshold}
            hint="the rollout halts when this many fail"
          >
            <input
              {...described('ro-error', issues.errorThreshold)}
              inputMode="numeric"
              value={v.errorValue}
              onInput={(e) => set('errorValue', e.currentTarget.value)}
            />
          </Field>
          <Field
            id="ro-timeout"
            label="Step timeout (s)"
            issue={issues.stepTimeoutSeconds}
            hint="an online agent silent this long is shown stale"
          >
            <input
              {...described('ro-timeout', issues.stepTimeoutSeconds)}
              inputMode="numeric"
              value={v.stepTimeoutSeconds}
              onInput={(e) => set('stepTimeoutSeconds', e.currentTarget.value)}
            />
          </Field>
        </fieldset>
        <RolloutPreviewPanel
          preview={preview?.result}
          outdated={preview !== undefined && current === undefined}
          busy={previewing || !v.profile || !v.revision}
          onPreview={() => void runPreview(false)}
          onShuffle={() => void runPreview(true)}
        />
        {error && <Notice kind="error">{error}</Notice>}
        <div class="actions">
          <button type="submit" disabled={busy || !v.profile || !v.revision}>
            Start rollout
          </button>
          <button type="button" class="ghost" onClick={() => go('rollouts')}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
