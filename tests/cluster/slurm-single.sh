#!/usr/bin/env bash
# Submits slurm/plotrand.sbatch, unchanged, to a real single-node SLURM cluster started here:
# with srun (PMIx), with mpirun, and with bad arguments (the job must fail with the status).
# Usage: slurm-single.sh PLOTRAND_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${1:?usage: slurm-single.sh PLOTRAND_BINARY}
. "$here/slurm-lib.sh"

S=$(mktemp -d /tmp/plotrand-slurm.XXXXXX)
chmod 755 "$S"
trap 'slurm_down; rm -rf "$S"' EXIT
slurm_up "$S" "$(hostname)=127.0.0.1"
echo "cluster up: $(sinfo -h -o '%D node(s) %T %c cpus')"

check() { if ! eval "$1"; then echo "FAILED: $2" >&2; echo "--- log"; cat "${log:-/dev/null}" >&2 || true; exit 1; fi; }
ranks=$(sinfo -h -o '%c')

submit() { # submit LAUNCHER PLOTS -> sets job, log, out
  local launcher=$1 plots=$2
  out="$S/out-$launcher-$plots"
  job=$(cd "$S" && sbatch --parsable --ntasks-per-node "$ranks" \
    --export="ALL,PLOTRAND=$bin,PLOTS=$plots,OUTDIR=$out,LAUNCHER=$launcher,EXTRA_ARGS=--seed 42,MPIRUN_ARGS=--allow-run-as-root" \
    "$repo/slurm/plotrand.sbatch")
  log="$S/plotrand-$job.out"
  state=$(slurm_wait_job "$job" 120)
  exitcode=$(scontrol show job "$job" | sed -n 's/.* ExitCode=\([0-9]*\):.*/\1/p')
  echo "job $job ($launcher, $plots plots): $state, exit $exitcode"
}

for launcher in srun mpirun; do
  submit "$launcher" 12
  check '[ "$state" = COMPLETED ] && [ "$exitcode" = 0 ]' "$launcher job did not complete"
  check 'grep -q "Making 12 plots of random data on $ranks ranks (1 host), seed 42" "$log"' "$launcher: header missing"
  check '[ "$(grep -c "^Result: plot " "$log")" = 12 ]' "$launcher: not 12 result lines"
  check 'grep -q "ms/plot" "$log" && grep -q "load imbalance" "$log"' "$launcher: no timing table/summary"
  check '[ "$(ls "$out"/plot_*.png | wc -l)" = 12 ] && [ -f "$out/plotrand.h5" ]' "$launcher: plots or record missing"
  check 'h5dump -a /ranks "$out/plotrand.h5" >/dev/null 2>&1 || h5dump -A "$out/plotrand.h5" | grep -q "(0): $ranks"' "$launcher: record unreadable"
done
check 'cmp -s "$S/out-srun-12/plot_7.png" "$S/out-mpirun-12/plot_7.png"' "srun and mpirun runs differ"

submit srun 0
check '[ "$state" = FAILED ] && [ "$exitcode" = 2 ]' "a bad argument must fail the job with status 2"
check '[ "$(grep -c "^error:" "$log")" = 1 ]' "the error must be printed once"
# A job stopped by SLURM's signal (as --signal sends it before the time limit) reports and
# records what it did, exits 75, and a resubmission with --resume finishes it.
out="$S/signalled"
job=$(cd "$S" && sbatch --parsable --ntasks-per-node "$ranks" \
  --export="ALL,PLOTRAND=$bin,PLOTS=4000,OUTDIR=$out,EXTRA_ARGS=--seed 5 --quiet --width 160 --height 120 --points 50" \
  "$repo/slurm/plotrand.sbatch")
log="$S/plotrand-$job.out"
for _ in $(seq 600); do [ "$(ls "$out" 2>/dev/null | grep -c png)" -ge 20 ] && break; sleep 0.1; done
scancel --signal=USR1 "$job"
state=$(slurm_wait_job "$job" 120)
exitcode=$(scontrol show job "$job" | sed -n 's/.* ExitCode=\([0-9]*\):.*/\1/p')
echo "job $job (signalled): $state, exit $exitcode"
check '[ "$exitcode" = 75 ]' "a signalled job must exit 75"
check 'grep -q "NOT DONE (interrupted: run again with --resume)" "$log"' "the log must say what was not done"
job=$(cd "$S" && sbatch --parsable --ntasks-per-node "$ranks" \
  --export="ALL,PLOTRAND=$bin,PLOTS=4000,OUTDIR=$out,EXTRA_ARGS=--seed 5 --quiet --width 160 --height 120 --points 50 --resume" \
  "$repo/slurm/plotrand.sbatch")
log="$S/plotrand-$job.out"
state=$(slurm_wait_job "$job" 300)
echo "job $job (resumed): $state"
check '[ "$state" = COMPLETED ]' "the resubmitted job must complete"
check 'grep -q "skipped (already there)" "$log"' "the resumed job must skip the plots already made"
check '[ "$(ls "$out" | grep -c png)" = 4000 ]' "all 4000 plots after the resume"

# The scaling study inside one allocation: p = 1 .. the job's tasks, then the table and chart.
job=$(cd "$S" && sbatch --parsable --ntasks-per-node "$ranks" \
  --export="ALL,PLOTRAND=$bin,PLOTS=6,RUNS=2,OUTDIR=$S/scaling" "$repo/slurm/scaling.sbatch")
log="$S/plotrand-scaling-$job.out"
state=$(slurm_wait_job "$job" 180)
echo "job $job (scaling study): $state"
check '[ "$state" = COMPLETED ]' "the scaling job did not complete"
check '[ "$(ls "$S"/scaling/run-p*.h5 | wc -l)" = $((2 * ($ranks > 1 ? 2 : 1))) ]' "not two records per rank count"
check 'grep -Eq "^ +1 +2 +[0-9.]+ +1\.00 +1\.00" "$log"' "no p=1 row in the table"
check 'grep -Eq "^ +$ranks +2 +[0-9.]+ " "$log"' "no p=$ranks row in the table"
check '[ -s "$S/scaling/speedup.png" ]' "no chart"
echo "slurm-single: all checks passed"
