import { type AgentConfIssue } from './agent-conf.errors.js';
import { AgentConfKeys } from './agent-conf.keys.js';
import { isLoopback, type LocalApiSecurity, type PasswordHash } from './agent-conf.local-api.js';

/** The local API keys as read (undefined: the key itself was invalid and is reported already). */
export interface LocalApiValues {
  localApiEnabled?: boolean;
  localApiSecurity?: LocalApiSecurity;
  localApiBindAddress?: string;
  localApiTlsCert?: string;
  localApiTlsKey?: string;
  localApiPasswordHash?: PasswordHash | null;
}

/** What the local API keys get wrong together (each key alone is valid). */
export function localApiIssues(values: LocalApiValues): AgentConfIssue[] {
  const keys = AgentConfKeys;
  const issues: AgentConfIssue[] = [];
  const security = values.localApiSecurity;
  const address = values.localApiBindAddress;
  if (security === 'plain' && address !== undefined && !isLoopback(address)) {
    // Plain HTTP without a password on a network interface would hand the file area to the network.
    issues.push({
      key: keys.localApiBindAddress.key,
      message: `must be a loopback address (127.x.x.x or ::1) while ${keys.localApiSecurity.key} is plain; choose an https level to listen on ${address}`,
    });
  }
  if (security === 'https-password' && values.localApiPasswordHash === null) {
    issues.push({
      key: keys.localApiPasswordHash.key,
      message: `is required when ${keys.localApiSecurity.key} is https-password (make one with \`switchyard-agent hash-password\`)`,
    });
  }
  const cert = values.localApiTlsCert;
  const key = values.localApiTlsKey;
  if (cert !== undefined && key !== undefined && (cert === '') !== (key === '')) {
    const [set, missing] =
      cert === '' ? [keys.localApiTlsKey, keys.localApiTlsCert] : [keys.localApiTlsCert, keys.localApiTlsKey];
    issues.push({
      key: missing.key,
      message: `is required when ${set.key} is set (certificate and key go together)`,
    });
  }
  return issues;
}
