import type { PushedRollout } from '../../../../../libs/api/rollouts.js';
import { useEffect } from 'preact/hooks';
import { useApp } from '../../live-context.js';

/** Calls back with every rollout the live socket says moved. */
export function useLiveRollouts(onChanged: (rollouts: PushedRollout[]) => void, deps: unknown[] = []): void {
  const { live } = useApp();
  useEffect(
    () =>
      live.subscribe((m) => {
        if (m.type === 'rollouts.changed') onChanged(m.rollouts);
      }),
    [live, ...deps],
  );
}
