/** One check of a phase's preconditions, as GET /api/migration shows it. */
export interface Precondition {
  id: string;
  ok: boolean;
  reason: string;
}
