/** Dates as operators read them in logs: UTC, to the second. */
export function utc(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

export function ago(value: string | null | undefined, now = Date.now()): string {
  if (!value) return 'never';
  const s = Math.max(0, Math.round((now - new Date(value).getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function shortSha(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 12) : '—';
}
