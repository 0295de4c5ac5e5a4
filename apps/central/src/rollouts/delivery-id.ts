// A delivery is one attempt of one rollout entry; the agent is known from the session the answer comes on.
const PATTERN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):(\d{1,9})$/;

export function deliveryIdOf(rolloutId: string, attempt: number): string {
  return `${rolloutId}:${attempt}`;
}

export function parseDeliveryId(id: string): { rolloutId: string; attempt: number } | undefined {
  const m = PATTERN.exec(id);
  return m ? { rolloutId: m[1], attempt: Number(m[2]) } : undefined;
}
