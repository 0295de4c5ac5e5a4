import type { ProfileView } from '../../../../../libs/api/profiles.js';
import { shortSha, utc } from '../../components/format.js';

/** Every revision, newest first, each with its archive to download. */
export function RevisionHistory(props: { profile: ProfileView }) {
  const base = `/api/profiles/${encodeURIComponent(props.profile.name)}/revisions`;
  return (
    <section aria-labelledby="revisions-title">
      <h2 id="revisions-title">Revision history</h2>
      {props.profile.revisions.length === 0 ? (
        <p class="muted">No revision yet: prepare the draft to make revision 1.</p>
      ) : (
        <div class="table-scroll">
          <table class="grid" aria-label="Revisions">
            <thead>
              <tr>
                <th scope="col">Revision</th>
                <th scope="col">SHA-256</th>
                <th scope="col">Size</th>
                <th scope="col">Minimum agent</th>
                <th scope="col">Capabilities</th>
                <th scope="col">Prepared (UTC)</th>
                <th scope="col">Archive</th>
              </tr>
            </thead>
            <tbody>
              {props.profile.revisions.map((r) => (
                <tr key={r.revision} data-revision={r.revision}>
                  <td>r{r.revision}</td>
                  <td>
                    <code title={r.sha256}>{shortSha(r.sha256)}</code>
                  </td>
                  <td>{(r.sizeBytes / 1024).toFixed(1)} KiB</td>
                  <td>{r.minimumAgentVersion || '—'}</td>
                  <td>{r.requiredCapabilities.join(', ') || '—'}</td>
                  <td>
                    {utc(r.createdAt)} <span class="muted">by {r.createdBy}</span>
                  </td>
                  <td>
                    <a
                      class="button ghost"
                      href={`${base}/${r.revision}/archive`}
                      download={`${props.profile.name}-r${r.revision}.zip`}
                    >
                      Download r{r.revision}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
