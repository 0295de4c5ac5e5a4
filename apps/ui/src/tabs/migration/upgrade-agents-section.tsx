import { useState } from 'preact/hooks';
import { agentsNeedingUpgrade } from '../../api/agent-upgrades.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';
import { UpgradeAgentsDialog } from './upgrade-agents-dialog.js';

const n = (v: number) => v.toLocaleString('en-US');

/**
 * The gate's agents that cannot connect securely until upgraded (ADR 45): how many, and for an admin
 * (upgrades install code) the "Upgrade them" action, which starts an agent rollout and links to it.
 */
export function UpgradeAgentsSection(props: { canUpgrade: boolean; reloadKey: unknown }) {
  const needs = useLoad(() => agentsNeedingUpgrade(), [props.reloadKey]);
  const [open, setOpen] = useState(false);
  const [started, setStarted] = useState<{ id: string; version: string; agents: number } | undefined>();
  const v = needs.value;
  // Nothing to say while nobody needs an upgrade (most fleets): the tab stays as it was.
  if (!started && (!v || v.count === 0)) return null;
  return (
    <section aria-labelledby="upgrade-title" data-testid="upgrade-agents">
      <h2 id="upgrade-title">
        Need an upgrade to connect securely (<span data-testid="needs-upgrade-count">{n(v?.count ?? 0)}</span>
        )
      </h2>
      {started && (
        <Notice kind="ok">
          Agent rollout of {started.version} to {n(started.agents)} agents started:{' '}
          <a href={`#/rollouts/${started.id}`} data-testid="upgrade-rollout-link">
            follow it in Rollouts
          </a>
          .
        </Notice>
      )}
      {v && v.count > 0 && (
        <div class="actions">
          <span class="muted">
            {v.agentIds.join(', ')}
            {v.count > v.agentIds.length ? `, … (${n(v.count)} in all)` : ''}
          </span>
          {props.canUpgrade ? (
            <button type="button" onClick={() => setOpen(true)}>
              Upgrade them ({n(v.count)})…
            </button>
          ) : (
            <span class="muted">An administrator can upgrade them from here.</span>
          )}
        </div>
      )}
      {open && v && (
        <UpgradeAgentsDialog
          count={v.count}
          onClose={() => setOpen(false)}
          onStarted={(id, version, agents) => {
            setOpen(false);
            setStarted({ id, version, agents });
            void needs.reload();
          }}
        />
      )}
    </section>
  );
}
