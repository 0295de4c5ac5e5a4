import type { RolloutAgentState, RolloutState } from '../../../../../libs/api/rollouts.js';

/** A rollout's or an agent entry's state as a coloured word (the colour is never the only signal). */
export function StateBadge(props: { state: RolloutState | RolloutAgentState }) {
  return (
    <span class={`badge state-${props.state}`} data-state={props.state}>
      {props.state.replace(/_/g, ' ')}
    </span>
  );
}
