import type { ProfileView } from '../../../../../libs/api/profiles.js';
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { hasUnplacedIssue, issuesOf, messageOf } from '../../components/errors.js';
import { Notice } from '../../components/notice.js';
import { useUnsavedChanges } from '../../components/unsaved.js';
import { described, Field } from '../parameters/field.js';

const list = (text: string) => text.split(/[\s,]+/).filter(Boolean);
const FIELDS = ['description', 'minimumAgentVersion', 'requiredCapabilities', 'truststorePassword'];

/** The draft's settings besides agent.conf: who may run it (version, capabilities), and the truststore password. */
export function ProfileSettingsForm(props: {
  profile: ProfileView;
  canWrite: boolean;
  onSaved: (p: ProfileView, message: string) => void;
}) {
  const p = props.profile;
  const [description, setDescription] = useState(p.description);
  const [minimum, setMinimum] = useState(p.minimumAgentVersion);
  const [capabilities, setCapabilities] = useState(p.requiredCapabilities.join(', '));
  const [password, setPassword] = useState('');
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | undefined>();

  const body: Record<string, unknown> = {};
  if (description !== p.description) body.description = description;
  if (minimum !== p.minimumAgentVersion) body.minimumAgentVersion = minimum;
  if (list(capabilities).join(',') !== p.requiredCapabilities.join(','))
    body.requiredCapabilities = list(capabilities);
  if (password) body.truststorePassword = password;
  const changed = Object.keys(body);
  useUnsavedChanges(`settings of ${p.name}`, changed.length > 0);

  const save = async (e: Event) => {
    e.preventDefault();
    try {
      const saved = await api<ProfileView>('PUT', `/api/profiles/${encodeURIComponent(p.name)}`, {
        draftVersion: p.draftVersion,
        ...body,
      });
      props.onSaved(saved, `Saved the draft (version ${saved.draftVersion}): ${changed.join(', ')}.`);
    } catch (err) {
      setIssues(issuesOf(err));
      setError(messageOf(err));
    }
  };

  return (
    <form class="settings" onSubmit={(e) => void save(e)} aria-label="Profile settings">
      <div class="conf-form">
        <Field id="ps-description" label="Description" issue={issues.description}>
          <input
            {...described('ps-description', issues.description)}
            value={description}
            disabled={!props.canWrite}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        </Field>
        <Field
          id="ps-minimum"
          label="Minimum agent version"
          issue={issues.minimumAgentVersion}
          hint="older agents are listed as needing an upgrade"
        >
          <input
            {...described('ps-minimum', issues.minimumAgentVersion)}
            value={minimum}
            disabled={!props.canWrite}
            onInput={(e) => setMinimum(e.currentTarget.value)}
          />
        </Field>
        <Field
          id="ps-capabilities"
          label="Required capabilities"
          issue={issues.requiredCapabilities}
          hint="e.g. wss; separated by commas"
        >
          <input
            {...described('ps-capabilities', issues.requiredCapabilities)}
            value={capabilities}
            disabled={!props.canWrite}
            onInput={(e) => setCapabilities(e.currentTarget.value)}
          />
        </Field>
        {props.canWrite && (
          <Field
            id="ps-password"
            label="New truststore password"
            issue={issues.truststorePassword}
            hint="leave empty to keep the current one (never shown)"
          >
            <input
              {...described('ps-password', issues.truststorePassword)}
              type="password"
              autocomplete="new-password"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </Field>
        )}
      </div>
      {error && hasUnplacedIssue(issues, FIELDS) && <Notice kind="error">{error}</Notice>}
      {props.canWrite && (
        <div class="actions">
          <button type="submit" disabled={changed.length === 0}>
            Save settings
          </button>
        </div>
      )}
    </form>
  );
}
