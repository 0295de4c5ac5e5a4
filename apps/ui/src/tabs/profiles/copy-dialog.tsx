import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { Dialog } from '../../components/dialog.js';
import { issuesOf, messageOf, hasUnplacedIssue } from '../../components/errors.js';
import { Notice } from '../../components/notice.js';
import { described, Field } from '../parameters/field.js';

/** Copy a profile (draft, truststore, settings) under a new name. */
export function CopyDialog(props: { from: string; onClose: () => void; onCopied: (name: string) => void }) {
  const [name, setName] = useState(`${props.from}-copy`);
  const [description, setDescription] = useState('');
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const body = description ? { name, description } : { name };
      await api('POST', `/api/profiles/${encodeURIComponent(props.from)}/copy`, body);
      props.onCopied(name);
    } catch (err) {
      setIssues(issuesOf(err));
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Copy ${props.from}`} onClose={props.onClose}>
      <form onSubmit={(e) => void submit(e)} class="stack">
        <Field id="copy-name" label="New profile name" issue={issues.name} hint="A-Z a-z 0-9 . _ -">
          <input
            {...described('copy-name', issues.name)}
            value={name}
            required
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        <Field id="copy-description" label="Description" issue={issues.description}>
          <input
            {...described('copy-description', issues.description)}
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        </Field>
        {error && hasUnplacedIssue(issues, ['name', 'description']) && <Notice kind="error">{error}</Notice>}
        <div class="actions">
          <button type="submit" disabled={busy}>
            Copy
          </button>
          <button type="button" class="ghost" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
