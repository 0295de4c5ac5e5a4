import type { AgentStatus } from '../../../../../libs/api/agents.js';

const LABEL: Record<AgentStatus, string> = {
  online: 'online',
  offline: 'offline',
  disconnected: 'disconnected',
  never_connected: 'never connected',
};

/** Colour and word together: the status reads the same to colour-blind operators and screen readers. */
export function StatusBadge(props: { status: AgentStatus }) {
  return (
    <span class={`status status-${props.status}`} data-status={props.status}>
      <span class="dot" aria-hidden="true" />
      {LABEL[props.status]}
    </span>
  );
}
