import type { ProfileListItem } from '../../../../../libs/api/profiles.js';
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { DialogActions } from '../../components/dialog-actions.js';
import { hasUnplacedIssue, issuesOf, messageOf } from '../../components/errors.js';
import { FormDialog } from '../../components/form-dialog.js';
import { Notice } from '../../components/notice.js';
import { described, Field } from '../parameters/field.js';
import { ProfileNameFields } from './profile-name-fields.js';

/**
 * A new profile from a built-in template (the repository's profiles/<name>, loaded as built-in profiles of
 * the same name) or from nothing. Central fills in the ports it listens on now, not the template's.
 */
export function NewProfileDialog(props: {
  profiles: ProfileListItem[];
  onClose: () => void;
  onCreated: (name: string) => void;
}) {
  const templates = props.profiles.filter((p) => p.builtIn).map((p) => p.name);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [template, setTemplate] = useState(templates[0] ?? '');
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    try {
      await api('POST', '/api/profiles', {
        name,
        ...(description ? { description } : {}),
        ...(template ? { template } : {}),
      });
      props.onCreated(name);
    } catch (err) {
      setIssues(issuesOf(err));
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <FormDialog title="New profile" onClose={props.onClose} onSubmit={submit}>
      <ProfileNameFields
        idPrefix="new"
        nameLabel="Profile name"
        {...{ name, description, issues }}
        onName={setName}
        onDescription={setDescription}
      />
      <Field
        id="new-template"
        label="Start from"
        issue={issues.template}
        hint="central's host and current listener ports are filled in"
      >
        <select
          {...described('new-template', issues.template)}
          value={template}
          onChange={(e) => setTemplate(e.currentTarget.value)}
        >
          {templates.map((t) => (
            <option key={t} value={t}>
              the {t} template
            </option>
          ))}
          <option value="">nothing (central's address only)</option>
        </select>
      </Field>
      {error && hasUnplacedIssue(issues, ['name', 'description', 'template']) && (
        <Notice kind="error">{error}</Notice>
      )}
      <DialogActions disabled={busy || !name.trim()} onCancel={props.onClose}>
        Create profile
      </DialogActions>
    </FormDialog>
  );
}
