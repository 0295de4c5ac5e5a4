#!/bin/sh
# Starts the Switchyard agent from its package: only Node.js >= 20 is needed, no npm install, no build.
#   SWITCHYARD_NODE        the node executable (default: node on PATH)
#   SWITCHYARD_AGENT_HOME  the agent home (default: this package's folder); --home DIR wins over it
# Everything else is passed on: switchyard-agent --help lists the options.
set -eu

# This package's folder, following a symlink to the launcher (e.g. /usr/local/bin/switchyard-agent).
self=$0
while [ -L "$self" ]; do
  link=$(readlink "$self")
  case $link in
    /*) self=$link ;;
    *) self=$(dirname "$self")/$link ;;
  esac
done
package_dir=$(cd "$(dirname "$self")/.." && pwd -P)

node=${SWITCHYARD_NODE:-node}
if ! command -v "$node" >/dev/null 2>&1; then
  echo "switchyard-agent: Node.js >= 20 is needed, but \"$node\" was not found (install Node.js or set SWITCHYARD_NODE to its path)" >&2
  exit 1
fi

SWITCHYARD_AGENT_HOME=${SWITCHYARD_AGENT_HOME:-$package_dir}
export SWITCHYARD_AGENT_HOME
# exec: the service manager's SIGTERM reaches the agent itself, which closes its session cleanly.
exec "$node" "$package_dir/lib/switchyard-agent.mjs" "$@"
