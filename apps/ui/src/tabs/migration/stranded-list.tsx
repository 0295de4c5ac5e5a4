import type { StrandedAgent } from '../../../../../libs/api/migration.js';

/** Who secure_only would cut off, and why (offline, still on plain, cannot do wss, failed apply). */
export function StrandedList(props: {
  agents: Array<Pick<StrandedAgent, 'agentId'> & { reasons: Array<{ message: string }> }>;
  label?: string;
}) {
  const label = props.label ?? 'Agents closing the plain listener would strand';
  return (
    <ul class="stranded-list" aria-label={label}>
      {props.agents.map((a) => (
        <li key={a.agentId} data-stranded={a.agentId}>
          <code>{a.agentId}</code>: {a.reasons.map((r) => r.message).join('; ')}
        </li>
      ))}
    </ul>
  );
}
