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

# batch EXPORTS: submits slurm/plotrand.sbatch with PLOTRAND and EXPORTS; sets job and log.
batch() {
  job=$(cd "$S" && sbatch --parsable --ntasks-per-node "$ranks" \
    --export="ALL,PLOTRAND=$bin,$1" "$repo/slurm/plotrand.sbatch")
  log="$S/plotrand-$job.out"
}
# exit_code_of JOB: the exit status SLURM recorded for the job.
exit_code_of() { scontrol show job "$1" | sed -n 's/.* ExitCode=\([0-9]*\):.*/\1/p'; }
check() { if ! eval "$1"; then echo "FAILED: $2" >&2; echo "--- log"; cat "${log:-/dev/null}" >&2 || true; exit 1; fi; }
ranks=$(sinfo -h -o '%c')

submit() { # submit LAUNCHER PLOTS -> sets job, log, out
  local launcher=$1 plots=$2
  out="$S/out-$launcher-$plots"
  job=$(cd "$S" && sbatch --parsable --ntasks-per-node "$ranks" \
    --export="ALL,PLOTRAND=$bin,PLOTS=$plots,OUTDIR=$out,LAUNCHER=$launcher,EXTRA_ARGS=--seed 42,MPIRUN_ARGS=--allow-run-as-root" \
    "$repo/slurm/plotrand.sbatch")
  log="$S/plotrand-$job.out"
  state=$(slurm_wait_job "$job" 300)
  exitcode=$(exit_code_of "$job")
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
check 'cmp -s "$S/out-srun-12/plot_07.png" "$S/out-mpirun-12/plot_07.png"' "srun and mpirun runs differ"

submit srun 0
check '[ "$state" = FAILED ] && [ "$exitcode" = 2 ]' "a bad argument must fail the job with status 2"
check '[ "$(grep -c "^error:" "$log")" = 1 ]' "the error must be printed once"
# A job stopped by SLURM's signal (as --signal sends it before the time limit) reports and
# records what it did, exits 75, and a resubmission with --resume finishes it. The signal
# lands part-way by construction: once the job has made 20 of its 4000 plots its tasks are
# stopped (SIGSTOP), SLURM's signal waits pending on each, and only then do they run on.
out="$S/signalled"
batch "PLOTS=4000,OUTDIR=$out,EXTRA_ARGS=--seed 5 --quiet --width 160 --height 120 --points 50"
pngs() { find "$out" -maxdepth 1 -name '*.png' 2>/dev/null | wc -l; }
# The job's tasks: the processes whose command line begins "$bin -o $out".
tasks_of_job() {
  local p argv
  for p in /proc/[0-9]*; do
    mapfile -d '' -t argv 2>/dev/null < "$p/cmdline" || continue
    if [ "${#argv[@]}" -ge 3 ] && [ "${argv[0]}" = "$bin" ] && [ "${argv[1]}" = -o ] && [ "${argv[2]}" = "$out" ]; then
      echo "${p#/proc/}"
    fi
  done
}
all_tasks_started() { mapfile -t tasks < <(tasks_of_job); [ "${#tasks[@]}" -eq "$ranks" ]; }
made_plots() { [ "$(pngs)" -ge "$1" ]; }
# Every thread of every task stopped (state T in /proc/PID/task/TID/stat).
tasks_stopped() {
  local t
  for t in "${tasks[@]}"; do
    if grep -qv '^[^)]*) [Tt] ' /proc/"$t"/task/*/stat; then return 1; fi
  done
}
# SIGUSR1 (signal 10: mask 0x200) waiting, undelivered, on every task.
usr1_pending() {
  local t m pending
  for t in "${tasks[@]}"; do
    pending=0
    for m in $(awk '/^(ShdPnd|SigPnd):/ {print $2}' /proc/"$t"/status); do
      if (( 0x$m & 0x200 )); then pending=1; fi
    done
    [ "$pending" = 1 ] || return 1
  done
}
# signal_part_way: SLURM's SIGUSR1 to job $job (writing into $out) once it has made 20 of its
# 4000 plots, delivered while its tasks stand still.
signal_part_way() {
  slurm_wait_for 300 "job $job's $ranks tasks to start" all_tasks_started
  slurm_wait_for 300 "job $job's first 20 plots" made_plots 20
  kill -STOP "${tasks[@]}"
  slurm_wait_for 60 "the tasks to stop" tasks_stopped
  made=$(pngs)
  echo "job $job stopped after $made plots; signalling it"
  check '[ "$made" -lt $((4000 - ranks)) ]' "the job made $made plots before it could be stopped"
  # What `#SBATCH --signal=B:USR1@120` sends at the time limit: the batch script passes it on.
  scancel --batch --signal=USR1 "$job"
  slurm_wait_for 120 "SLURM's SIGUSR1 to reach every task" usr1_pending
  kill -CONT "${tasks[@]}"
}
signal_part_way
state=$(slurm_wait_job "$job" 300)
exitcode=$(exit_code_of "$job")
echo "job $job (signalled): $state, exit $exitcode"
check '[ "$exitcode" = 75 ]' "a signalled job must exit 75"
check 'grep -q "NOT DONE (interrupted: run again with --resume)" "$log"' "the log must say what was not done"
batch "PLOTS=4000,OUTDIR=$out,EXTRA_ARGS=--seed 5 --quiet --width 160 --height 120 --points 50 --resume"
state=$(slurm_wait_job "$job" 300)
echo "job $job (resumed): $state"
check '[ "$state" = COMPLETED ]' "the resubmitted job must complete"
check 'grep -q "skipped (already there)" "$log"' "the resumed job must skip the plots already made"
check '[ "$(ls "$out" | grep -c png)" = 4000 ]' "all 4000 plots after the resume"

# The same signal reaches ranks that mpirun started.
out="$S/signalled-mpirun"
batch "PLOTS=4000,OUTDIR=$out,LAUNCHER=mpirun,MPIRUN_ARGS=--allow-run-as-root,EXTRA_ARGS=--quiet --width 160 --height 120 --points 50"
signal_part_way
state=$(slurm_wait_job "$job" 300)
exitcode=$(exit_code_of "$job")
echo "job $job (mpirun, signalled): $state, exit $exitcode"
check '[ "$exitcode" = 75 ]' "a signalled mpirun job must exit 75"
check 'grep -q "NOT DONE (interrupted: run again with --resume)" "$log"' "the mpirun job's log must say what was not done"

# REQUEUE=1, no seed: the job stopped by SLURM's signal requeues itself, and its next run
# resumes with the first run's seed (from the manifest) in the same OUTDIR.
out="$S/requeued"
batch "PLOTS=4000,OUTDIR=$out,REQUEUE=1,EXTRA_ARGS=--quiet --width 160 --height 120 --points 50"
signal_part_way
requeued() { scontrol show job "$job" | grep -q "Restarts=1" && scontrol show job "$job" | grep -q "JobState=PENDING"; }
slurm_wait_for 120 "job $job to requeue itself" requeued
# SLURM holds a requeued job until the old run's credential expires (cred_expire, 10 s here).
state=$(slurm_wait_job "$job" 300)
echo "job $job (requeued): $state"
check '[ "$state" = COMPLETED ]' "the requeued job must complete"
check 'grep -q "stopped before the end; requeueing it to resume" "$log"' "the log must say it requeued"
check 'grep -q "(the earlier run.s, from its manifest)" "$log"' "the requeued run must take the first run's seed"
check 'grep -q "skipped (already there)" "$log"' "the requeued run must skip the plots already made"
check '[ "$(ls "$out" | grep -c png)" = 4000 ]' "all 4000 plots after the requeue"

# INPUT: the objects of an HDF5 file instead of random plots.
"$bin" sample "$S/input.h5" --datasets 6 --max-points 1000 >/dev/null
out="$S/input-plots"
batch "INPUT=$S/input.h5,OUTDIR=$out"
state=$(slurm_wait_job "$job" 120)
echo "job $job (input): $state"
check '[ "$state" = COMPLETED ]' "the input job must complete"
check 'grep -q "Making 6 plots of HDF5 data from $S/input.h5" "$log"' "the input job's header"
check '[ "$(ls "$out" | grep -c png)" = 6 ]' "a plot per dataset of the input"

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
