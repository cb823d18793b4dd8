#!/usr/bin/env bash
# Three hosts made of network namespaces (node01..node03, own addresses and host names) run
# a shipped hostfile for real: Open MPI's with mpirun, or MPICH's with mpiexec (BINARY then
# an MPICH build of the program), with a launch agent in place of ssh. Checks: the timing
# table names three hosts, and the plots are byte-identical to a single-host run with the
# same seed by REFERENCE (default BINARY; the tests give the Open MPI build, so that the
# MPICH build's plots are compared with another build's).
# Usage: multihost.sh openmpi|mpich BINARY [REFERENCE]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
usage="usage: multihost.sh openmpi|mpich BINARY [REFERENCE]"
mpi=${1:?$usage}
bin=${2:?$usage}
reference=${3:-$bin}
case "$mpi" in openmpi|mpich) ;; *) echo "$usage" >&2; exit 2 ;; esac
. "$here/netns-lib.sh"

S=$(mktemp -d /tmp/plotrand-hosts.XXXXXX)
chmod 755 "$S"
trap 'netns_down; rm -rf "$S"' EXIT
netns_up 3
netns_hosts > "$S/hosts"
echo "hosts up: ${NETNS_NODES[*]}"

fail() { echo "FAILED: $*" >&2; exit 1; }
# Node names resolve through a private /etc/hosts, bind-mounted for this command alone.
with_hosts() { unshare --mount sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$S/hosts" "$@"; }

check_run() { # check_run NAME LOG OUTDIR
  local name=$1 log=$2 out=$3 hosts
  grep -q "on 6 ranks (3 hosts), seed 42" "$log" || { cat "$log"; fail "$name: header does not say 6 ranks on 3 hosts"; }
  hosts=$(awk '/ms\/plot/ {t=1; next} t && $3 ~ /^[0-9]+$/ && NF>=7 {print $2}' "$log" | sort -u | tr '\n' ' ')
  [ "$hosts" = "node01 node02 node03 " ] || { cat "$log"; fail "$name: table hosts are '$hosts'"; }
  local k
  for k in $(seq -w 12); do
    cmp -s "$S/single/plot_$k.png" "$out/plot_$k.png" || fail "$name: plot $k differs from the single-host run"
  done
  echo "$name: 12 plots on node01 node02 node03, identical to the single-host run"
}

"$reference" -o "$S/single" -n 12 --seed 42 -q --no-record > "$S/single.log" || fail "single-host run"

if [ "$mpi" = openmpi ]; then
  with_hosts mpirun.openmpi --allow-run-as-root --hostfile "$repo/hostfiles/cluster.openmpi" -n 6 \
    --mca plm_rsh_agent "$here/netns-agent.sh" \
    --mca oob_tcp_if_include 10.77.0.0/24 --mca btl_tcp_if_include 10.77.0.0/24 --mca btl tcp,self \
    "$bin" -o "$S/openmpi" -n 12 --seed 42 > "$S/openmpi.log" 2>&1 || { cat "$S/openmpi.log"; fail "mpirun across hosts"; }
  check_run "Open MPI hostfile" "$S/openmpi.log" "$S/openmpi"
else
  with_hosts mpiexec.mpich -f "$repo/hostfiles/cluster.mpich" -n 6 \
    -launcher ssh -launcher-exec "$here/netns-agent.sh" -iface plotrand-br \
    "$bin" -o "$S/mpich" -n 12 --seed 42 > "$S/mpich.log" 2>&1 || { cat "$S/mpich.log"; fail "mpiexec across hosts"; }
  check_run "MPICH hostfile" "$S/mpich.log" "$S/mpich"
fi
echo "multihost: all checks passed"
