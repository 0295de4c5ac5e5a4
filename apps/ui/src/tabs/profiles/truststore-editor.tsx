import type {
  ProfileView,
  TruststoreEntryInput,
  TruststoreEntryView,
  TruststoreSource,
} from '../../../../../libs/api/profiles.js';
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { refusalText } from '../../components/errors.js';
import { utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';

const SOURCES: Array<{ value: TruststoreSource; label: string }> = [
  { value: 'server-anchor', label: "Central's server certificate anchor (resolved at prepare)" },
  { value: 'local-ca', label: "Central's local CA" },
  { value: 'uploaded', label: 'An uploaded PEM certificate' },
];

const toInput = (e: TruststoreEntryView): TruststoreEntryInput =>
  e.source === 'uploaded'
    ? { source: 'uploaded', alias: e.alias, pem: e.pem ?? '' }
    : { source: e.source, alias: e.alias };

/** The certificates agents will trust: what each entry stands for now; add or remove entries. */
export function TruststoreEditor(props: {
  profile: ProfileView;
  canWrite: boolean;
  onSaved: (p: ProfileView, message: string) => void;
}) {
  const [adding, setAdding] = useState(false);
  const [source, setSource] = useState<TruststoreSource>('server-anchor');
  const [alias, setAlias] = useState('');
  const [pem, setPem] = useState('');
  const [error, setError] = useState<string | undefined>();

  const save = async (entries: TruststoreEntryInput[], text: string) => {
    try {
      const p = await api<ProfileView>('PUT', `/api/profiles/${encodeURIComponent(props.profile.name)}`, {
        draftVersion: props.profile.draftVersion,
        truststore: entries,
      });
      setError(undefined);
      setAdding(false);
      setAlias('');
      setPem('');
      props.onSaved(p, text);
    } catch (e) {
      setError(refusalText(e));
    }
  };

  const current = props.profile.truststore.map(toInput);
  const add = (e: Event) => {
    e.preventDefault();
    const entry: TruststoreEntryInput =
      source === 'uploaded'
        ? { source, alias: alias.trim(), pem }
        : alias.trim()
          ? { source, alias: alias.trim() }
          : { source };
    void save([...current, entry], 'Added a truststore entry to the draft.');
  };

  return (
    <section aria-labelledby="truststore-title">
      <h2 id="truststore-title">Truststore</h2>
      <p class="muted">Password: {props.profile.truststorePassword} (never shown).</p>
      <div class="table-scroll">
        <table class="grid" aria-label="Truststore entries">
          <thead>
            <tr>
              <th scope="col">Alias</th>
              <th scope="col">Source</th>
              <th scope="col">Certificate</th>
              <th scope="col">Valid until (UTC)</th>
              <th scope="col">SHA-256</th>
              {props.canWrite && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {props.profile.truststore.map((t, i) => (
              <tr key={`${t.alias}-${i}`} data-alias={t.alias}>
                <td>
                  <code>{t.alias}</code>
                </td>
                <td>{t.source}</td>
                <td>
                  {t.certificate ? t.certificate.subject : <span class="issue">{t.problem ?? 'none'}</span>}
                </td>
                <td>
                  {t.certificate
                    ? `${utc(t.certificate.notAfter)} (${t.certificate.daysLeft} days left)`
                    : '—'}
                </td>
                <td>
                  <code title={t.certificate?.fingerprintSha256}>
                    {t.certificate ? `${t.certificate.fingerprintSha256.slice(0, 23)}…` : '—'}
                  </code>
                </td>
                {props.canWrite && (
                  <td>
                    <button
                      type="button"
                      class="ghost"
                      aria-label={`Remove ${t.alias}`}
                      disabled={current.length <= 1}
                      onClick={() =>
                        void save(
                          current.filter((_, j) => j !== i),
                          `Removed ${t.alias} from the draft's truststore.`,
                        )
                      }
                    >
                      Remove
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {props.canWrite && !adding && (
        <div class="actions">
          <button type="button" class="ghost" onClick={() => setAdding(true)}>
            Add certificate…
          </button>
        </div>
      )}
      {adding && (
        <form class="stack card" onSubmit={add} aria-label="Add a truststore entry">
          <label for="ts-source">Source</label>
          <select
            id="ts-source"
            value={source}
            onChange={(e) => setSource(e.currentTarget.value as TruststoreSource)}
          >
            {SOURCES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
          <label for="ts-alias">Alias{source === 'uploaded' ? '' : ' (optional)'}</label>
          <input
            id="ts-alias"
            value={alias}
            required={source === 'uploaded'}
            placeholder="lower case, as keytool shows it"
            onInput={(e) => setAlias(e.currentTarget.value)}
          />
          {source === 'uploaded' && (
            <>
              <label for="ts-pem">PEM certificate</label>
              <textarea
                id="ts-pem"
                rows={6}
                value={pem}
                required
                placeholder="-----BEGIN CERTIFICATE-----"
                onInput={(e) => setPem(e.currentTarget.value)}
              />
              <label for="ts-file">Or a file</label>
              <input
                id="ts-file"
                type="file"
                accept=".pem,.crt,.cer"
                onChange={(e) => {
                  const file = e.currentTarget.files?.[0];
                  if (file) void file.text().then(setPem);
                }}
              />
            </>
          )}
          <div class="actions">
            <button type="submit">Add to truststore</button>
            <button type="button" class="ghost" onClick={() => setAdding(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
