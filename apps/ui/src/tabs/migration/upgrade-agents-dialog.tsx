import { useState } from 'preact/hooks';
import {
  type AgentPackageSummary,
  listAgentPackages,
  upgradeAgentsNeedingIt,
} from '../../api/agent-upgrades.js';
import { DialogActions } from '../../components/dialog-actions.js';
import { messageOf } from '../../components/errors.js';
import { utc } from '../../components/format.js';
import { FormDialog } from '../../components/form-dialog.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';

const n = (v: number) => v.toLocaleString('en-US');

/**
 * "Upgrade them": the operator picks an uploaded agent package and confirms; central starts a package
 * rollout to the agents that need an upgrade (ADR 45) and the dialog hands back its id.
 */
export function UpgradeAgentsDialog(props: {
  count: number;
  onClose: () => void;
  onStarted: (rolloutId: string, version: string, agents: number) => void;
}) {
  const packages = useLoad(() => listAgentPackages());
  const [version, setVersion] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const list: AgentPackageSummary[] = packages.value ?? [];
  // Newest upload first (the API's order): the usual choice.
  const chosen = version ?? list[0]?.version;

  const confirm = async () => {
    if (!chosen) return;
    setBusy(true);
    setError(undefined);
    try {
      const r = await upgradeAgentsNeedingIt(chosen);
      props.onStarted(r.id, chosen, 'agentIdCount' in r.targets ? r.targets.agentIdCount : props.count);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <FormDialog
      title="Upgrade agents that cannot connect securely"
      onClose={props.onClose}
      onSubmit={confirm}
    >
      <p>
        {n(props.count)} {props.count === 1 ? 'agent lacks' : 'agents lack'} the <code>wss</code> capability
        or wait for an upgrade in a rollout. An agent rollout installs the package you pick beside the running
        version; an agent that does not come back on it within its timeout returns to its previous version by
        itself.
      </p>
      {packages.error && <Notice kind="error">{packages.error}</Notice>}
      {packages.value && list.length === 0 && (
        <div class="notice notice-warn" role="status" data-testid="no-agent-package">
          No agent package is uploaded yet. Build a signed one with{' '}
          <code>npm run package:agent -- --signing-key FILE</code> and upload its <code>.tar.gz</code>,{' '}
          <code>.manifest.json</code> and <code>.manifest.sig</code> with{' '}
          <code>POST /api/agent-packages</code> (docs/agent.md, upgrades); central accepts packages signed by
          a key in <code>&lt;data&gt;/agent-package-keys/</code>.
        </div>
      )}
      {list.length > 0 && (
        <label>
          Agent package
          <select value={chosen} onChange={(e) => setVersion(e.currentTarget.value)}>
            {list.map((p) => (
              <option key={p.version} value={p.version}>
                {p.version} (uploaded {utc(p.uploadedAt)} by {p.uploadedBy})
              </option>
            ))}
          </select>
        </label>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      <DialogActions disabled={busy || !chosen} onCancel={props.onClose}>
        {chosen ? `Upgrade ${n(props.count)} to ${chosen}` : 'Upgrade'}
      </DialogActions>
    </FormDialog>
  );
}
