/** An audit entry's details as short "key: value" lines, nested values flattened to dotted keys. */
export function detailLines(details: Record<string, unknown>, prefix = ''): Array<[string, string]> {
  const lines: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(details)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && !Array.isArray(value))
      lines.push(...detailLines(value as Record<string, unknown>, name));
    else if (Array.isArray(value))
      lines.push([
        name,
        value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', '),
      ]);
    else lines.push([name, String(value)]);
  }
  return lines;
}

/** Shows the first lines; the rest on demand, so one entry stays one row. */
export function AuditDetails({ details }: { details: Record<string, unknown> }) {
  const lines = detailLines(details);
  if (lines.length === 0) return <>—</>;
  const shown = lines.slice(0, 3);
  const row = ([k, v]: [string, string]) => (
    <div key={k}>
      <span class="muted">{k}:</span> {v.length > 160 ? `${v.slice(0, 160)}…` : v}
    </div>
  );
  return (
    <div class="audit-details">
      {shown.map(row)}
      {lines.length > shown.length && (
        <details>
          <summary>{lines.length - shown.length} more</summary>
          {lines.slice(shown.length).map(row)}
        </details>
      )}
    </div>
  );
}
