import { missingNodeFlags } from './runtime-flags.js';

export interface BannerFacts {
  /** `node <id>` for one process, or what the workers are in cluster mode. */
  nodes: string;
  adminUrl: string;
  firstAdmin: { username: string; generatedPassword: string | undefined } | undefined;
}

/** What central prints once it runs: where the admin UI is, the first admin's password, how to add agents. */
export function runningBanner(facts: BannerFacts): string {
  const lines = [
    '',
    `Switchyard central is running (${facts.nodes})`,
    `  admin UI and API:  ${facts.adminUrl}  (API under /api)`,
  ];
  if (facts.firstAdmin?.generatedPassword) {
    lines.push(
      `  first admin:       user "admin", password ${facts.firstAdmin.generatedPassword}`,
      '                     (shown once; set SWITCHYARD_ADMIN_PASSWORD to choose it yourself)',
    );
  } else if (facts.firstAdmin) {
    lines.push('  first admin:       user "admin", password from SWITCHYARD_ADMIN_PASSWORD');
  }
  const missing = missingNodeFlags();
  if (missing.length > 0) {
    lines.push(
      `  note:              started without ${missing.join(' ')} (npm start passes it): rollouts to`,
    );
    lines.push('                     thousands of agents take longer (README: Running central as a service)');
  }
  lines.push(
    '  start an agent:    create an enrollment token (POST /api/agents/enrollment-tokens), then',
    '                     switchyard-agent --home <agent dir> --token <token>   (the agent package,',
    '                     docs/agent.md; from a checkout: npx switchyard-agent …)',
    '',
  );
  return lines.join('\n');
}
