import type { NodeListeners } from '../../../../../libs/api/listeners.js';
import { utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';

/** A banner per listener a node was asked for but could not bind, with the reason (not just "none bound"). */
export function ListenerFailures(props: { nodes: NodeListeners[] | undefined }) {
  const failed = (props.nodes ?? []).flatMap((n) =>
    (n.failed ?? []).map((f) => ({ node: n.nodeName, ...f })),
  );
  return (
    <>
      {failed.map((f) => (
        <Notice kind="error" key={`${f.node}-${f.kind}`}>
          <span data-listener-failed={f.kind}>
            The {f.kind} listener ({f.address}:{f.port}) is not running on {f.node}: {f.reason}. Agents cannot
            connect there. Free the port or choose another below, then save. (Since {utc(f.since)}.)
          </span>
        </Notice>
      ))}
    </>
  );
}

/** What each node has really bound (GET /api/listeners), not what was asked for. */
export function ListenersTable(props: { nodes: NodeListeners[] | undefined }) {
  const rows = (props.nodes ?? []).flatMap((n) => n.listeners.map((l) => ({ node: n.nodeName, ...l })));
  return (
    <div class="table-scroll">
      <table class="grid" aria-label="Bound listeners">
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Listener</th>
            <th scope="col">Address</th>
            <th scope="col">Port</th>
            <th scope="col">TLS</th>
            <th scope="col">Connections</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={6} class="muted">
                No listener is bound.
              </td>
            </tr>
          )}
          {rows.map((r) => (
            <tr key={`${r.node}-${r.kind}`} data-listener={r.kind}>
              <td>{r.node}</td>
              <td>{r.kind}</td>
              <td>{r.address}</td>
              <td>{r.port}</td>
              <td>{r.tls ? 'yes' : 'no'}</td>
              <td>{r.connections}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
