import { alignedTable, tableCell as cell } from '../markdown/aligned-table.js';
import { AGENT_CONF_KEYS } from './agent-conf.keys.js';

/**
 * The agent.conf reference (docs/agent-conf.md) as markdown, rendered from `AGENT_CONF_KEYS` so the
 * documentation cannot drift from what the agent accepts. The output is already in prettier's format
 * (padded columns), so formatting the docs does not change it.
 */
export function renderAgentConfReference(): string {
  const rows = AGENT_CONF_KEYS.map((key) =>
    [
      `\`${key.key}\``,
      key.type,
      key.required ? 'yes' : 'no',
      key.default === undefined ? '' : key.default === '' ? '(empty)' : `\`${key.default}\``,
      key.description,
    ].map(cell),
  );
  return [
    '# agent.conf reference',
    '',
    '<!-- Generated from libs/agent-conf/agent-conf.keys.ts by renderAgentConfReference(); do not edit. -->',
    '',
    "`conf/agent.conf` in the agent's home is a Java `.properties` file. The agent reads the keys below;",
    'other keys are kept as they are and ignored. Values are trimmed, and an empty value counts as absent',
    '(the default applies). Every invalid key is reported at once, naming the key.',
    '',
    ...alignedTable(['Key', 'Type', 'Required', 'Default', 'Description'], rows),
    '',
    ...LOCAL_SETTINGS,
  ].join('\n');
}

/** How conf/agent.local.conf works (ADR 37): part of the reference, so it is generated with it. */
const LOCAL_SETTINGS = [
  '## Local settings: `conf/agent.local.conf`',
  '',
  "A profile replaces the agent's whole `conf/` folder, `conf/agent.conf` included. What belongs to one",
  'agent rather than to the fleet lives in `conf/agent.local.conf`, a second `.properties` file beside it',
  'that a profile never changes (ADR 37):',
  '',
  '- **Local keys** are `agent.id`, `agent.group`, and the keys the profile lists in `profile.local.keys`.',
  '  The agent runs with `conf/agent.conf` with the local file laid over it: a local key set in',
  '  `conf/agent.local.conf` takes that value, even an empty one (`agent.group=` means no group whatever',
  "  the profile says). A local key the local file does not set takes the profile's value.",
  '- **Other keys** in `conf/agent.local.conf` are ignored, with a warning naming them: `central.host`, the',
  '  ports and the truststore belong to the profile.',
  '- **Edits** of either file are picked up while the agent runs, like edits of agent.conf; changing',
  '  `agent.group` reconnects the agent so that central learns the new groups.',
  '- **First profile:** when the agent stages its first profile and has no `conf/agent.local.conf` yet, it',
  '  writes one into the staged `conf/` with its `agent.id` and the values that the installed',
  '  `conf/agent.conf` gives to the local keys of that profile (non-empty ones). Both files become live',
  '  together, in the same atomic swap of `conf/`; if the activation fails, the old `conf/` is kept.',
  "  Once a profile is active, agent.conf holds that profile's values, so a later first apply takes only",
  '  `agent.id`.',
  '- **Later profiles** stage the running `conf/agent.local.conf` as it is at activation time; a',
  "  `conf/agent.local.conf` inside a profile is replaced by the agent's own.",
  '',
  'Example: branch-04 was installed with `agent.group=south`; the profile "north" says `agent.group=north`',
  "and `profile.local.keys=agent.log.level`. After the first publish, `conf/agent.conf` is the profile's",
  "and `conf/agent.local.conf` holds `agent.id=branch-04`, `agent.group=south` and the site's",
  '`agent.log.level`: the agent stays in group south, reports it to central, and keeps its id and level.',
  '',
];
