import { countEnrollmentRefusal } from '../metrics/event-counters.js';
import { Injectable, Logger } from '@nestjs/common';
import { type IncomingMessage } from 'node:http';
import { AGENT_ID_PATTERN, VIA_HEADER } from '../../../../libs/protocol/index.js';
import { AuditService } from '../audit/audit.service.js';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { hashSecret, newSecret } from '../crypto/secrets.js';
import { AgentCredentials } from './agent-credentials.js';
import { AgentSessions } from './agent-sessions.js';
import { AgentsRepository } from './agents.repository.js';
import { EnrollmentTokensRepository, type EnrollmentTokenScope } from './enrollment-tokens.repository.js';
import { TokenUseCoalescer } from './token-use-coalescer.js';

export const AGENT_ID_HEADER = 'x-switchyard-agent-id';
export const ENROLLMENT_TOKEN_PREFIX = 'syt_';
export const AGENT_CREDENTIAL_PREFIX = 'sya_';

export type AgentAuthResult =
  | {
      ok: true;
      agentId: string;
      issuedCredential: string | undefined;
      /** SHA-256 of the credential the agent now holds (kept on its session, never the secret). */
      credentialHash: string;
      via: string | undefined;
    }
  | { ok: false; status: 400 | 401 | 403 | 409; reason: string };

/**
 * Decides at the HTTP upgrade, before any WebSocket exists, whether an agent may connect:
 * its own credential, or an enrollment token on first contact (then a credential is issued).
 */
@Injectable()
export class AgentAuthenticator {
  private readonly logger = new Logger('agent-auth');
  private readonly tokenUses: TokenUseCoalescer;

  constructor(
    private readonly agents: AgentsRepository,
    private readonly tokens: EnrollmentTokensRepository,
    private readonly audit: AuditService,
    private readonly sessions: AgentSessions,
    private readonly credentials: AgentCredentials,
    private readonly cluster: ClusterBus,
  ) {
    this.tokenUses = new TokenUseCoalescer((hash, wanted) => tokens.consume(hash, wanted));
  }

  /**
   * `sessionSuffices`: a credential that opened the agent's live session on this node is accepted
   * without reading the database (profile downloads: thousands per push). The session proves the
   * credential was valid at its upgrade, and revoking the agent closes its sessions on every node.
   */
  async authenticate(
    req: IncomingMessage,
    address: string,
    options: { sessionSuffices?: boolean } = {},
  ): Promise<AgentAuthResult> {
    const agentId = req.headers[AGENT_ID_HEADER];
    const authorization = req.headers.authorization;
    if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ')) {
      return { ok: false, status: 401, reason: 'no agent credential (Authorization: Bearer …)' };
    }
    if (typeof agentId !== 'string' || !AGENT_ID_PATTERN.test(agentId)) {
      return { ok: false, status: 400, reason: `missing or invalid ${AGENT_ID_HEADER} header` };
    }
    const secret = authorization.slice('Bearer '.length).trim();
    if (secret.startsWith(ENROLLMENT_TOKEN_PREFIX)) return this.enroll(agentId, secret, address, viaOf(req));
    const presented = hashSecret(secret);
    const ok = {
      ok: true as const,
      agentId,
      issuedCredential: undefined,
      credentialHash: presented,
      via: viaOf(req),
    };
    if (options.sessionSuffices && this.sessions.heldWithCredential(agentId, presented)) return ok;
    if (!(await this.credentials.verify(agentId, presented))) {
      return { ok: false, status: 401, reason: `credential not valid for agent ${agentId}` };
    }
    return ok;
  }

  private async enroll(
    agentId: string,
    token: string,
    address: string,
    via: string | undefined,
  ): Promise<AgentAuthResult> {
    const tokenHash = hashSecret(token);
    const refuse = async (status: 401 | 403 | 409, reason: string): Promise<AgentAuthResult> => {
      await this.audit.record(
        { username: `agent:${agentId}`, address },
        'agent enrollment',
        'refused',
        agentId,
        { reason },
      );
      this.logger.warn(`refused enrollment of agent ${agentId} from ${address}: ${reason}`);
      countEnrollmentRefusal(status);
      return { ok: false, status, reason };
    };
    const scope = await this.tokens.findValid(tokenHash);
    if (!scope) return refuse(401, USED_UP);
    const outOfScope = scopeRefusal(scope, agentId);
    if (outOfScope) return refuse(403, outOfScope);
    // An agent that never got the credential of its enrollment (the welcome was lost) is enrolled again
    // without using the token again: a limited token must not run out on retries.
    const retry = await this.agents.isEnrollmentRetry(agentId, tokenHash);
    const readmit = scope.agentId === agentId;
    if (!retry) {
      if (scope.usedUp) return refuse(401, USED_UP);
      // An id that is enrolled or revoked is not anyone's to claim: only an admin's re-enroll token is (ADR 25).
      if (!readmit) {
        const state = await this.agents.enrollmentState(agentId);
        if (state === 'revoked') return refuse(403, REVOKED);
        if (state === 'enrolled') return refuse(409, ALREADY_ENROLLED);
      }
      if (!(await this.tokenUses.use(tokenHash))) return refuse(401, USED_UP);
    }
    const credential = newSecret(AGENT_CREDENTIAL_PREFIX);
    const credentialHash = hashSecret(credential);
    const enrolled = await this.agents.enroll(agentId, credentialHash, tokenHash, {
      readmit,
      group: scope.group,
    });
    // Another enrollment of the same id won the race since the check above.
    if (!enrolled) return refuse(409, ALREADY_ENROLLED);
    if (readmit || retry) {
      // Other nodes may still hold the previous credential in memory: it must stop opening sessions.
      await this.cluster
        .publish('agent.credential.changed', { agentId })
        .catch((error: Error) =>
          this.logger.warn(
            `agent ${agentId}: could not tell other nodes of its new credential: ${error.message}`,
          ),
        );
    }
    this.credentials.remember(agentId, credentialHash);
    await this.audit.record(
      { username: `agent:${agentId}`, address },
      'agent enrollment',
      'success',
      agentId,
      {
        ...(retry
          ? {
              retry:
                'the agent never used the credential of its last enrollment; the token was not used again',
            }
          : {}),
        ...(readmit && !retry
          ? { reEnrolled: 'with the re-enroll token an admin issued for this agent' }
          : {}),
        ...(scope.group ? { group: scope.group } : {}),
      },
    );
    this.logger.log(
      `agent ${agentId} ${retry ? 're-enrolled (retry)' : readmit ? 're-enrolled (admin token)' : 'enrolled'} from ${address}`,
    );
    return { ok: true, agentId, issuedCredential: credential, credentialHash, via };
  }
}

const USED_UP = 'enrollment token unknown, expired, revoked or used up';
export const ALREADY_ENROLLED =
  'agent id already enrolled; to replace its credential an admin issues a re-enroll token (POST /api/agents/:id/re-enroll)';
export const REVOKED =
  'agent id revoked; to admit it again an admin issues a re-enroll token (POST /api/agents/:id/re-enroll)';

/** Why the token may not enroll this id (a re-enroll token for another agent, an id outside the prefix). */
function scopeRefusal(scope: EnrollmentTokenScope, agentId: string): string | undefined {
  if (scope.agentId !== null && scope.agentId !== agentId) {
    return `enrollment token is a re-enroll token for agent ${scope.agentId}, not ${agentId}`;
  }
  if (scope.agentIdPrefix !== null && !agentId.startsWith(scope.agentIdPrefix)) {
    return `enrollment token only enrolls agent ids starting with "${scope.agentIdPrefix}"; ${agentId} does not`;
  }
  return undefined;
}

const VIA_PATTERN = /^connector\/[A-Za-z0-9._-]{1,64}$/;

/** The connector that forwarded the upgrade (`connector/<name>`); anything else is not shown. */
function viaOf(req: IncomingMessage): string | undefined {
  const value = req.headers[VIA_HEADER];
  return typeof value === 'string' && VIA_PATTERN.test(value) ? value : undefined;
}
