// Test helper: the enrolled agent home the profile specs start from (the truststore of the profile it
// runs, the private state folder and the credential), so each spec states only what differs.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJksTruststore } from '../../../../libs/keystore/index.js';
import { AgentHome } from '../agent-home.js';
import type { AgentStatus } from '../status-file.js';
import { CREDENTIAL } from './profile-fixtures.js';

/**
 * An agent home at `root` that already enrolled: conf/security/truststore.jks trusts `trusted` (alias
 * `old`, as the running profile's), state/ is private and holds CREDENTIAL; `conf` is written as
 * agent.conf when given.
 */
export function enrolledProfileHome(root: string, trusted: Buffer, conf?: string): AgentHome {
  const home = new AgentHome(root);
  mkdirSync(join(home.confDir, 'security'), { recursive: true });
  if (conf !== undefined) writeFileSync(home.confFile, conf);
  writeFileSync(
    join(home.confDir, 'security', 'truststore.jks'),
    writeJksTruststore([{ alias: 'old', der: trusted }], 'changeit'),
  );
  mkdirSync(home.stateDir, { recursive: true, mode: 0o700 });
  writeFileSync(home.credentialFile, CREDENTIAL, { mode: 0o600 });
  return home;
}

/** The agent's status file as it last wrote it. */
export const readAgentStatus = (home: AgentHome): AgentStatus =>
  JSON.parse(readFileSync(home.statusFile, 'utf8')) as AgentStatus;
