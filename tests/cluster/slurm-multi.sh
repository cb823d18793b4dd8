#!/usr/bin/env bash
# A 3-node SLURM cluster across network namespaces (one slurmd per host, node01..node03)
# runs slurm/plotrand.sbatch unchanged with -N 3; the log's timing table must name all three
# hosts and the plots must match a single-host run. Usage: slurm-multi.sh PLOTRAND_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${1:?usage: slurm-multi.sh PLOTRAND_BINARY}
. "$here/netns-lib.sh"
. "$here/slurm-lib.sh"

S=$(mktemp -d /tmp/plotrand-slurm3.XXXXXX)
chmod 755 "$S"
trap 'slurm_down; netns_down; [ -n "${KEEP:-}" ] || rm -rf "$S"' EXIT
netns_up 3
nodes=()
for name in "${NETNS_NODES[@]}"; do nodes+=("$name=$(netns_addr "$name"):plotrand-$name"); done
SLURM_CTL_ADDR=$NETNS_SUBNET.1 slurm_up "$S" "${nodes[@]}"
echo "cluster up: $(sinfo -h -o '%D nodes %T')"

fail() { echo "FAILED: $*" >&2; [ -f "${log:-}" ] && cat "$log" >&2; exit 1; }

"$bin" -o "$S/single" -n 30 --seed 8 -q --no-record > /dev/null || fail "single-host run"
for launcher in srun mpirun; do
  out="$S/plots-$launcher"
  job=$(cd "$S" && sbatch --parsable -N 3 --ntasks-per-node 2 \
    --export="ALL,PLOTRAND=$bin,PLOTS=30,OUTDIR=$out,LAUNCHER=$launcher,EXTRA_ARGS=--seed 8 --quiet,MPIRUN_ARGS=--allow-run-as-root,OMPI_MCA_btl_tcp_if_include=$NETNS_SUBNET.0/24,OMPI_MCA_oob_tcp_if_include=$NETNS_SUBNET.0/24" \
    "$repo/slurm/plotrand.sbatch")
  log="$S/plotrand-$job.out"
  state=$(slurm_wait_job "$job" 180)
  [ "$state" = COMPLETED ] || fail "$launcher job $job ended $state"
  grep -q "Making 30 plots of random data on 6 ranks (3 hosts), seed 8" "$log" || fail "$launcher: header"
  hosts=$(awk '/ms\/plot/ {t=1; next} t && $3 ~ /^[0-9]+$/ && NF>=7 {print $2}' "$log" | sort -u | tr '\n' ' ')
  [ "$hosts" = "node01 node02 node03 " ] || fail "$launcher: table hosts are '$hosts'"
  for k in $(seq -w 30); do cmp -s "$S/single/plot_$k.png" "$out/plot_$k.png" || fail "$launcher: plot $k differs"; done
  [ -f "$out/plotrand.h5" ] || fail "$launcher: no run record beside the plots"
  echo "$launcher job $job: 30 plots from 6 ranks on node01 node02 node03, identical to a single-host run"
done
echo "slurm-multi: all checks passed"
