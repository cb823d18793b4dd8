# A real SLURM cluster on this machine, for the tests: munged, slurmctld and one slurmd per
# node, all started by these functions and stopped by PID (slurm_down, also on any exit via
# the caller's trap). Debian 12's munge/slurm-wlm packages. Needs root.
#
#   SCRATCH=$(mktemp -d); trap 'slurm_down' EXIT
#   slurm_up "$SCRATCH" NAME=ADDR[:NETNS] ...     # one node: "vm=127.0.0.1"
#   sbatch ... ; slurm_wait_job JOBID TIMEOUT
set -euo pipefail

SLURM_PIDS=()

slurm_fail() { echo "slurm-lib: $*" >&2; exit 1; }

# slurm_wait_for SECONDS WHAT COMMAND...: runs COMMAND every 0.1 s until it succeeds; after
# SECONDS fails, saying what it waited for. The limits are generous (what takes a second or
# two here): only a daemon that is stuck fails them, never a slow machine.
slurm_wait_for() {
  local limit=$1 what=$2 deadline=$((SECONDS + $1))
  shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || slurm_fail "waited ${limit} s for $what"
    sleep 0.1
  done
}

slurm_munge_answers() { munge -S "$MUNGE_SOCKET" -n | unmunge -S "$MUNGE_SOCKET" >/dev/null 2>&1; }

# slurm_nodes_idle N: at least N nodes are idle.
slurm_nodes_idle() { [ "$(sinfo -h -N -t idle -o '%N' 2>/dev/null | wc -l)" -ge "$1" ]; }

slurm_need() {
  [ "$(id -u)" -eq 0 ] || slurm_fail "starting SLURM daemons needs root (run the tests as root, as CI does)"
  local c
  for c in munged munge unmunge slurmctld slurmd sbatch scontrol sinfo; do
    command -v "$c" >/dev/null || slurm_fail "$c not found: install with 'apt-get install munge slurmd slurmctld slurm-client'"
  done
}

# slurm_up SCRATCH NODE... where NODE is name=address or name=address:netns
slurm_up() {
  slurm_need
  S=$1; shift
  mkdir -p "$S/state" "$S/munge"
  chown munge: "$S/munge"; chmod 0700 "$S/munge"
  dd if=/dev/urandom of="$S/munge/munge.key" bs=1024 count=1 status=none
  chown munge: "$S/munge/munge.key"; chmod 0400 "$S/munge/munge.key"
  export MUNGE_SOCKET="$S/munge/munge.sock"
  runuser -u munge -- munged --force --key-file="$S/munge/munge.key" --socket="$MUNGE_SOCKET" \
    --pid-file="$S/munge/munged.pid" --log-file="$S/munge/munged.log" --seed-file="$S/munge/seed" \
    || slurm_fail "munged did not start: $(cat "$S/munge/munged.log" 2>/dev/null)"
  SLURM_PIDS+=("$(cat "$S/munge/munged.pid")")
  slurm_wait_for 120 "munged to answer" slurm_munge_answers

  local hw ctl_addr=127.0.0.1 nodes=() spec name addr ns
  hw=$(slurmd -C | head -1 | sed -e 's/^NodeName=[^ ]* //' -e 's/ RealMemory=[0-9]*//')
  for spec in "$@"; do
    name=${spec%%=*}; addr=${spec#*=}; ns=""
    [[ $addr == *:* ]] && { ns=${addr#*:}; addr=${addr%%:*}; ctl_addr=${SLURM_CTL_ADDR:?set SLURM_CTL_ADDR for namespaced nodes}; }
    nodes+=("$name|$addr|$ns")
  done
  export SLURM_CONF="$S/slurm.conf"
  {
    echo "ClusterName=plotrand-test"
    echo "SlurmctldHost=localhost($ctl_addr)"
    echo "SlurmUser=root"
    echo "AuthType=auth/munge"
    # A requeued job waits cred_expire seconds (default 120) before it may start again.
    echo "AuthInfo=socket=$MUNGE_SOCKET,cred_expire=10"
    echo "CredType=cred/munge"
    echo "MpiDefault=pmix"
    echo "ProctrackType=proctrack/linuxproc"
    echo "TaskPlugin=task/none"
    echo "SelectType=select/cons_tres"
    echo "SelectTypeParameters=CR_Core"
    echo "ReturnToService=2"
    echo "MailProg=/bin/true"
    echo "StateSaveLocation=$S/state"
    echo "SlurmdSpoolDir=$S/spool-%n"
    echo "SlurmctldPidFile=$S/slurmctld.pid"
    echo "SlurmdPidFile=$S/slurmd-%n.pid"
    echo "SlurmctldLogFile=$S/slurmctld.log"
    echo "SlurmdLogFile=$S/slurmd-%n.log"
    echo "AccountingStorageType=accounting_storage/none"
    echo "JobCompType=jobcomp/none"
    echo "JobAcctGatherType=jobacct_gather/none"
    echo "SchedulerParameters=sched_interval=1"
    echo "MessageTimeout=30"
    echo "SlurmctldTimeout=30"
    echo "SlurmdTimeout=30"
    local n
    for n in "${nodes[@]}"; do
      IFS='|' read -r name addr ns <<< "$n"
      echo "NodeName=$name NodeAddr=$addr $hw State=UNKNOWN"
    done
    echo "PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO"
  } > "$SLURM_CONF"
  # PMIx names its per-step client directory after the job and step, not the node: nodes
  # sharing one file system would collide ("File exists"). Each slurmd gets a private mount
  # of its own directory at this path (see below).
  mkdir -p "$S/pmix"
  echo "PMIxCliTmpDirBase=$S/pmix" > "$S/mpi.conf"

  slurmctld -f "$SLURM_CONF" || slurm_fail "slurmctld did not start: $(tail -5 "$S/slurmctld.log" 2>/dev/null)"
  slurm_wait_for 120 "slurmctld's PID file" test -s "$S/slurmctld.pid"
  SLURM_PIDS+=("$(cat "$S/slurmctld.pid")")
  for n in "${nodes[@]}"; do
    IFS='|' read -r name addr ns <<< "$n"
    mkdir -p "$S/spool-$name"
    if [ -n "$ns" ]; then
      # nsenter, not `ip netns exec` (which remounts /sys and hides the cgroup tree);
      # --uts with a fresh hostname so each node reports its own processor name; --mount
      # for the node's own PMIx directory.
      mkdir -p "$S/pmix-$name"
      nsenter --net="/run/netns/$ns" unshare --uts --mount sh -c \
        "hostname $name && mount --bind '$S/pmix-$name' '$S/pmix' && exec slurmd -f '$SLURM_CONF' -N $name" \
        || slurm_fail "slurmd $name did not start: $(tail -5 "$S/slurmd-$name.log" 2>/dev/null)"
    else
      slurmd -f "$SLURM_CONF" -N "$name" || slurm_fail "slurmd $name did not start: $(tail -5 "$S/slurmd-$name.log" 2>/dev/null)"
    fi
    slurm_wait_for 120 "slurmd $name's PID file" test -s "$S/slurmd-$name.pid"
    SLURM_PIDS+=("$(cat "$S/slurmd-$name.pid")")
  done
  local want=${#nodes[@]} deadline=$((SECONDS + 300))
  until slurm_nodes_idle "$want"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      sinfo -N >&2 || true
      slurm_fail "not all $want nodes became idle in 300 s; slurmd log: $(tail -5 "$S"/slurmd-*.log 2>/dev/null)"
    fi
    sleep 0.2
  done
}

# slurm_wait_job JOBID TIMEOUT_SECONDS: polls scontrol (faster than sbatch --wait); prints the final state.
slurm_wait_job() {
  local job=$1 limit=$2 state="" deadline=$((SECONDS + $2))
  while [ "$SECONDS" -lt "$deadline" ]; do
    state=$(scontrol show job "$job" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
    case "$state" in
      COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE) echo "$state"; return 0 ;;
    esac
    sleep 0.2
  done
  echo "job $job still $state after ${limit}s" >&2
  scancel "$job" 2>/dev/null || true
  echo "TIMEOUT_WAITING"
}

slurm_down() {
  local pid
  for pid in "${SLURM_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SLURM_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  SLURM_PIDS=()
}
