import type { Welcome } from '../../../../libs/protocol/index.js';
import { CloseCode } from '../../../../libs/protocol/index.js';
import type { CentralConnection } from '../central-connection.js';

export type CandidateResult = { ok: true; connection: CentralConnection } | { ok: false; reason: string };

/**
 * Opens a candidate connection with new settings (the current one stays up meanwhile) and waits for
 * central's welcome on it: the only proof that the new settings reach central. Fails on the first
 * error (an untrusted certificate or a refused port will not heal by retrying) or when `timeoutMs`
 * passes; a failed candidate is closed.
 */
export function tryCandidate(
  open: (onWelcome: (welcome: Welcome) => void) => CentralConnection,
  timeoutMs: number,
): Promise<CandidateResult> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: CandidateResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!result.ok) connection.close(CloseCode.NORMAL, 'candidate connection abandoned');
      resolve(result);
    };
    const connection = open(() => settle({ ok: true, connection }));
    const timer = setTimeout(
      () => settle({ ok: false, reason: `no welcome within ${Number((timeoutMs / 1000).toFixed(1))} s` }),
      timeoutMs,
    );
    void connection.ended.then((end) => settle({ ok: false, reason: end.description }));
  });
}
