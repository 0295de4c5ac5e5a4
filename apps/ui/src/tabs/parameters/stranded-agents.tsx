import type { StrandedByListenerChange as StrandedAgent } from '../../../../../libs/api/settings.js';

/** The 409 answer: who would be cut off, and the explicit way to apply anyway. */
export function StrandedAgents(props: {
  message: string;
  agents: StrandedAgent[];
  onForce: () => void;
  onCancel: () => void;
  busy: boolean;
}) {
  return (
    <section class="notice notice-warn stranded" role="alert" aria-labelledby="stranded-title">
      <h2 id="stranded-title">This change would strand {props.agents.length} agent(s)</h2>
      <p>{props.message}</p>
      <ul aria-label="Agents that would be stranded">
        {props.agents.map((a) => (
          <li key={a.id}>
            <code>{a.id}</code>
            {a.remoteAddress && <span class="muted"> from {a.remoteAddress}</span>}
            {a.nodeId && <span class="muted"> on node {a.nodeId.slice(0, 8)}</span>}
          </li>
        ))}
      </ul>
      <div class="actions">
        <button type="button" class="danger" disabled={props.busy} onClick={props.onForce}>
          Apply anyway and cut them off
        </button>
        <button type="button" class="ghost" onClick={props.onCancel}>
          Keep the current settings
        </button>
      </div>
    </section>
  );
}
