import { ago } from './format.js';
import { useNow } from './clock.js';

/**
 * Shown while the live channel is down: the screen keeps its last data (better than nothing), but an
 * "online" agent may have gone since. The online badges are greyed by the `stale` class on the content.
 */
export function StaleBanner(props: { since: number }) {
  const now = useNow();
  return (
    <div class="notice notice-warn stale-banner" role="status" data-testid="stale-banner">
      Live updates stopped {ago(new Date(props.since).toISOString(), now)}: central is not answering —
      retrying. What you see may be out of date.
    </div>
  );
}
