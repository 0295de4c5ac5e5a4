import type { RolloutPreview } from '../../../../../libs/api/rollouts.js';

const count = (n: number) => n.toLocaleString('en');

/**
 * What the rollout on the form would do, before it starts: how many agents, the first of them, and each
 * wave's size with its first agents. `outdated` once the form changed after the preview was taken.
 */
export function RolloutPreviewPanel(props: {
  preview: RolloutPreview | undefined;
  outdated: boolean;
  busy: boolean;
  onPreview: () => void;
  onShuffle: () => void;
}) {
  const p = props.preview;
  return (
    <fieldset class="rollout-preview" aria-labelledby="ro-preview-title">
      <legend id="ro-preview-title">Preview</legend>
      <div class="actions">
        <button type="button" class="ghost" disabled={props.busy} onClick={props.onPreview}>
          Preview targets and waves
        </button>
        {p?.waveOrder === 'random' && !props.outdated && (
          <button type="button" class="ghost" disabled={props.busy} onClick={props.onShuffle}>
            Shuffle again
          </button>
        )}
      </div>
      {!p && (
        <p class="muted">
          See which agents this rollout reaches, and how many in each wave, before it starts.
        </p>
      )}
      {p && props.outdated && (
        <p class="notice notice-warn" role="status">
          The form changed since this preview: preview again to see the rollout as it now stands.
        </p>
      )}
      {p && (
        <div class={props.outdated ? 'preview-body outdated' : 'preview-body'} data-testid="rollout-preview">
          <p data-testid="preview-targets">
            <strong>{count(p.targetCount)} agent(s)</strong> targeted: {p.firstTargets.join(', ')}
            {p.targetCount > p.firstTargets.length
              ? `, and ${count(p.targetCount - p.firstTargets.length)} more`
              : ''}
          </p>
          {p.needsUpgrade > 0 && (
            <p class="muted">
              {count(p.needsUpgrade)} of them run an agent too old for this revision: they wait for an
              upgrade.
            </p>
          )}
          <p class="muted">
            {p.waveOrder === 'random'
              ? `Agents are drawn into waves at random (seed ${p.waveSeed}); starting now gives exactly these waves.`
              : 'Agents go into waves by id: the first wave is the alphabetically first agents.'}
          </p>
          <table class="grid" aria-label="Planned waves">
            <thead>
              <tr>
                <th scope="col">Wave</th>
                <th scope="col">Agents</th>
                <th scope="col">First agents</th>
              </tr>
            </thead>
            <tbody>
              {p.waves.map((w) => (
                <tr key={w.wave} data-wave={w.wave}>
                  <td>{w.wave}</td>
                  <td data-testid={`preview-wave-${w.wave}`}>
                    {count(w.size)}
                    {w.needsUpgrade > 0 && (
                      <span class="muted"> ({count(w.needsUpgrade)} need an upgrade)</span>
                    )}
                  </td>
                  <td>
                    {w.firstAgents.join(', ')}
                    {w.size > w.firstAgents.length ? ', …' : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </fieldset>
  );
}
