import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { DialogActions } from '../../components/dialog-actions.js';
import { issuesOf, messageOf, hasUnplacedIssue } from '../../components/errors.js';
import { FormDialog } from '../../components/form-dialog.js';
import { Notice } from '../../components/notice.js';
import { ProfileNameFields } from './profile-name-fields.js';

/** Copy a profile (draft, truststore, settings) under a new name. */
export function CopyDialog(props: { from: string; onClose: () => void; onCopied: (name: string) => void }) {
  const [name, setName] = useState(`${props.from}-copy`);
  const [description, setDescription] = useState('');
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
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
    <FormDialog title={`Copy ${props.from}`} onClose={props.onClose} onSubmit={submit}>
      <ProfileNameFields
        idPrefix="copy"
        nameLabel="New profile name"
        {...{ name, description, issues }}
        onName={setName}
        onDescription={setDescription}
      />
      {error && hasUnplacedIssue(issues, ['name', 'description']) && <Notice kind="error">{error}</Notice>}
      <DialogActions disabled={busy} onCancel={props.onClose}>
        Copy
      </DialogActions>
    </FormDialog>
  );
}
