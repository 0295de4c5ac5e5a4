import { type NodeListeners } from '../../api/types.js';

/** What each node has really bound (GET /api/listeners), not what was asked for. */
export function ListenersTable(props: { nodes: NodeListeners[] | undefined }) {
  const rows = (props.nodes ?? []).flatMap((n) => n.listeners.map((l) => ({ node: n.nodeName, ...l })));
  return (
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
  );
}
