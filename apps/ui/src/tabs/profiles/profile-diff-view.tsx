import type { ProfileDiff, ProfileView } from '../../../../../libs/api/profiles.js';
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../../api/client.js';
import { messageOf } from '../../components/errors.js';
import { Notice } from '../../components/notice.js';

const label = (ref: string) => (ref === 'draft' ? 'draft' : `r${ref}`);

/** Two revisions (or a revision and the draft) side by side, key by key and certificate by certificate. */
export function ProfileDiffView(props: { profile: ProfileView }) {
  const revisions = props.profile.revisions.map((r) => String(r.revision));
  // A draft that gives the latest revision again has nothing to show: then compare the last two revisions.
  const lastTwo = props.profile.draftChanged === false && revisions.length > 1;
  const [from, setFrom] = useState((lastTwo ? revisions[1] : revisions[0]) ?? '');
  const [to, setTo] = useState(lastTwo ? revisions[0]! : 'draft');
  const [diff, setDiff] = useState<ProfileDiff | undefined>();
  const [error, setError] = useState<string | undefined>();

  const compare = async (f = from, t = to) => {
    try {
      const q = query({ from: f, to: t });
      setDiff(
        await api<ProfileDiff>('GET', `/api/profiles/${encodeURIComponent(props.profile.name)}/diff${q}`),
      );
      setError(undefined);
    } catch (e) {
      setError(messageOf(e));
    }
  };

  useEffect(() => {
    if (revisions.length > 0) void compare();
  }, []);

  if (revisions.length === 0) return null;
  return (
    <section aria-labelledby="diff-title">
      <h2 id="diff-title">Compare</h2>
      <div class="filters">
        <label for="diff-from">Compare from</label>
        <select id="diff-from" value={from} onChange={(e) => setFrom(e.currentTarget.value)}>
          {revisions.map((r) => (
            <option key={r} value={r}>
              r{r}
            </option>
          ))}
        </select>
        <label for="diff-to">Compare to</label>
        <select id="diff-to" value={to} onChange={(e) => setTo(e.currentTarget.value)}>
          <option value="draft">draft</option>
          {revisions.map((r) => (
            <option key={r} value={r}>
              r{r}
            </option>
          ))}
        </select>
        <button type="button" class="ghost" onClick={() => void compare()}>
          Compare
        </button>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {diff && <DiffTable diff={diff} />}
    </section>
  );
}

function DiffTable({ diff }: { diff: ProfileDiff }) {
  const [f, t] = [label(String(diff.from)), label(String(diff.to))];
  if (diff.identical)
    return (
      <p data-testid="diff-identical">
        {f} and {t} are identical.
      </p>
    );
  return (
    <div class="table-scroll">
      <table class="grid diff" aria-label={`Differences from ${f} to ${t}`}>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">{f}</th>
            <th scope="col">{t}</th>
          </tr>
        </thead>
        <tbody>
          {diff.agentConf.map((c) => (
            <tr key={c.key} data-diff-key={c.key} class={`diff-${c.change}`}>
              <th scope="row">
                <code>{c.key}</code> <span class="muted">{c.change}</span>
              </th>
              <td class="diff-old">{c.old ?? '—'}</td>
              <td class="diff-new">{c.new ?? '—'}</td>
            </tr>
          ))}
          {diff.truststore.removed.map((c) => (
            <tr key={`rm-${c.fingerprintSha256}`} class="diff-removed">
              <th scope="row">truststore: {c.alias}</th>
              <td class="diff-old">{c.subject}</td>
              <td class="diff-new">—</td>
            </tr>
          ))}
          {diff.truststore.added.map((c) => (
            <tr key={`add-${c.fingerprintSha256}`} class="diff-added">
              <th scope="row">truststore: {c.alias}</th>
              <td class="diff-old">—</td>
              <td class="diff-new">{c.subject}</td>
            </tr>
          ))}
          {diff.truststorePassword === 'changed' && (
            <tr class="diff-changed">
              <th scope="row">truststore password</th>
              <td class="diff-old">(set)</td>
              <td class="diff-new">(changed)</td>
            </tr>
          )}
          {diff.minimumAgentVersion && (
            <tr class="diff-changed">
              <th scope="row">minimum agent version</th>
              <td class="diff-old">{diff.minimumAgentVersion.old || '—'}</td>
              <td class="diff-new">{diff.minimumAgentVersion.new || '—'}</td>
            </tr>
          )}
          {diff.requiredCapabilities && (
            <tr class="diff-changed">
              <th scope="row">required capabilities</th>
              <td class="diff-old">{diff.requiredCapabilities.removed.join(', ') || '—'}</td>
              <td class="diff-new">{diff.requiredCapabilities.added.join(', ') || '—'}</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
