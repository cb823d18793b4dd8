#!/usr/bin/env bash
# Launch agent in place of ssh for mpirun/mpiexec: `netns-agent.sh [-x] HOST COMMAND…` runs
# COMMAND, joined like ssh joins it, inside HOST's network namespace with HOST as host name.
set -euo pipefail
[ "${1:-}" = "-x" ] && shift   # hydra's ssh launcher asks for no X11 forwarding
host=$1; shift
case "$host" in
  node[0-9]*) name=$host ;;
  10.77.0.*) name=$(printf 'node%02d' $(( ${host##*.} - 10 ))) ;;
  *) echo "netns-agent: unknown host '$host'" >&2; exit 255 ;;
esac
exec ip netns exec "plotrand-$name" unshare --uts sh -c "hostname $name && $*"
