#!/bin/sh
# Starts the Switchyard agent from its package: only Node.js >= 20 is needed, no npm install, no build.
#   SWITCHYARD_NODE        the node executable (default: node on PATH)
#   SWITCHYARD_AGENT_HOME  the agent home (default: this package's folder); --home DIR wins over it
# Everything else is passed on: switchyard-agent --help lists the options.
#
# Upgrades (README.md, "Upgrades"): central installs new versions into <home>/versions/<version>/ and
# names the one to run in <home>/versions/current; this launcher starts that one. While
# <home>/versions/trial exists the new version is on trial: the launcher watches it, and if it exits
# before central welcomed it (it removes the trial file then), goes back to the previous version.
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
self=$package_dir/bin/$(basename "$self")

node=${SWITCHYARD_NODE:-node}
if ! command -v "$node" >/dev/null 2>&1; then
  echo "switchyard-agent: Node.js >= 20 is needed, but \"$node\" was not found (install Node.js or set SWITCHYARD_NODE to its path)" >&2
  exit 1
fi

home=${SWITCHYARD_AGENT_HOME:-$package_dir}
previous_arg=
for arg in "$@"; do
  case $previous_arg in --home) home=$arg ;; esac
  case $arg in --home=*) home=${arg#--home=} ;; esac
  previous_arg=$arg
done
SWITCHYARD_AGENT_HOME=$home
SWITCHYARD_AGENT_LAUNCHER=$self
export SWITCHYARD_AGENT_HOME SWITCHYARD_AGENT_LAUNCHER

versions=$home/versions
# The bundle of a version under versions/, if it is installed there; else nothing.
bundle_of() {
  case $1 in
    '' | *[!0-9A-Za-z.-]* | .*) return 0 ;;
  esac
  if [ -f "$versions/$1/lib/switchyard-agent.mjs" ]; then echo "$versions/$1/lib/switchyard-agent.mjs"; fi
}
field() { sed -n "s/^$1=//p" "$versions/trial" 2>/dev/null | head -n 1; }
# Atomic: a temp file in the same folder, renamed over the old one.
write_file() {
  printf '%s\n' "$2" > "$1.tmp.$$" && mv -f "$1.tmp.$$" "$1"
}

bundle=
if [ -f "$versions/current" ]; then bundle=$(bundle_of "$(head -n 1 "$versions/current")"); fi
[ -n "$bundle" ] || bundle=$package_dir/lib/switchyard-agent.mjs

if [ ! -f "$versions/trial" ]; then
  # exec: the service manager's SIGTERM reaches the agent itself, which closes its session cleanly.
  exec "$node" "$bundle" "$@"
fi

# A trial: run the new version as a child and watch how it ends.
trial_version=$(field version)
trial_previous=$(field previous)
trial_delivery=$(field deliveryId)
stopped=
"$node" "$bundle" "$@" &
child=$!
trap 'stopped=yes; kill -TERM "$child" 2>/dev/null || true' TERM INT HUP
code=0
while :; do
  wait "$child" && code=0 || code=$?
  kill -0 "$child" 2>/dev/null || break
done
trap - TERM INT HUP
# Ended (the new version was welcomed), or replaced by the trial of a later upgrade it started itself.
if [ ! -f "$versions/trial" ] || [ "$(field deliveryId)" != "$trial_delivery" ] || [ "$(field version)" != "$trial_version" ]; then
  exit "$code"
fi

# Still on trial: the new version never reached welcome. Back to the previous one, with the reason.
reason=$(field reason)
[ -n "$reason" ] || reason="version $trial_version exited with code $code before central welcomed it"
write_file "$versions/rollback" "version=$trial_version
previous=$trial_previous
deliveryId=$trial_delivery
reason=$reason; back on $trial_previous"
write_file "$versions/current" "$trial_previous"
rm -f "$versions/trial"
echo "switchyard-agent: $reason; going back to version $trial_previous" >&2
[ -z "$stopped" ] || exit "$code"
exec "$self" "$@"
