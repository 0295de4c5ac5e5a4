/**
 * What a rollout delivers, in words: "web r3", or "agent package 1.4.0" for an agent upgrade (ADR 45), whose
 * profile and revision are null.
 */
export function deliveryWords(r: {
  profile: string | null;
  revision: number | null;
  packageVersion?: string | null;
}): string {
  if (r.profile === null) return `agent package ${r.packageVersion ?? '?'}`;
  return `${r.profile} r${r.revision}`;
}
