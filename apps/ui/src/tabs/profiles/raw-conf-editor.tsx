import type { ProfileView } from '../../../../../libs/api/profiles.js';
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { messageOf } from '../../components/errors.js';
import { Notice } from '../../components/notice.js';
import { useUnsavedChanges } from '../../components/unsaved.js';

/** agent.conf as text: comments, order and unknown keys exactly as stored; saving replaces the whole text. */
export function RawConfEditor(props: {
  profile: ProfileView;
  canWrite: boolean;
  onSaved: (p: ProfileView, message: string) => void;
}) {
  const [text, setText] = useState(props.profile.agentConf);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  useUnsavedChanges(`agent.conf of ${props.profile.name}`, text !== props.profile.agentConf);

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const p = await api<ProfileView>('PUT', `/api/profiles/${encodeURIComponent(props.profile.name)}`, {
        draftVersion: props.profile.draftVersion,
        agentConf: text,
      });
      props.onSaved(p, `Saved the draft (version ${p.draftVersion}).`);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void save(e)} class="stack">
      <label for="raw-conf">agent.conf (raw)</label>
      <textarea
        id="raw-conf"
        rows={16}
        spellcheck={false}
        readOnly={!props.canWrite}
        aria-invalid={error ? true : undefined}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      {error && <Notice kind="error">{error}</Notice>}
      {props.canWrite && (
        <div class="actions">
          <button type="submit" disabled={busy || text === props.profile.agentConf}>
            Save raw agent.conf
          </button>
        </div>
      )}
    </form>
  );
}
