import { Counter, Registry } from 'prom-client';

/**
 * Counters of things that happen on the agent channel, incremented where they happen. They live on their
 * own registry, imported directly by the listeners and agents code (no Nest module, so no import cycle
 * with metrics/), and `/metrics` merges it with the node's registry.
 */
export const eventCounters = new Registry();

/** Why an agent's connection was refused, in a word an alert rule can group by. */
export type HandshakeFailureReason =
  'client_certificate' | 'tls' | 'unauthorized' | 'forbidden' | 'conflict' | 'origin' | 'busy';

const handshakeFailures = new Counter({
  name: 'switchyard_agent_handshake_failures_total',
  help: 'Agent connections refused at the TLS handshake or the WebSocket upgrade, by reason',
  labelNames: ['reason'],
  registers: [eventCounters],
});

const enrollmentRefusals = new Counter({
  name: 'switchyard_enrollment_refusals_total',
  help: 'Enrollments refused (id already enrolled, revoked, token limits), by HTTP status',
  labelNames: ['status'],
  registers: [eventCounters],
});

const profileFailures = new Counter({
  name: 'switchyard_profile_failures_total',
  help: 'Rollout deliveries agents reported as failed, by rollout mode (synchronize: fetch/verify/stage; publish: also apply)',
  labelNames: ['mode'],
  registers: [eventCounters],
});

const tlsHandshakes = new Counter({
  name: 'switchyard_agent_tls_handshakes_total',
  help: 'TLS handshakes completed on the secure agent listener, by whether a session was resumed (ADR 53): resumed ones skip the certificate work on both ends',
  labelNames: ['resumed'],
  registers: [eventCounters],
});

export function countTlsHandshake(resumed: boolean): void {
  tlsHandshakes.inc({ resumed: resumed ? 'true' : 'false' });
}

export function countHandshakeFailure(reason: HandshakeFailureReason): void {
  handshakeFailures.inc({ reason });
}

/** Maps an upgrade refusal's HTTP status to the reason label. */
export function countUpgradeRefusal(status: number): void {
  countHandshakeFailure(
    status === 401
      ? 'unauthorized'
      : status === 403
        ? 'forbidden'
        : status === 409
          ? 'conflict'
          : status === 503
            ? 'busy'
            : 'forbidden',
  );
}

export function countEnrollmentRefusal(status: number): void {
  enrollmentRefusals.inc({ status: String(status) });
}

export function countProfileFailure(mode: string): void {
  profileFailures.inc({ mode });
}
