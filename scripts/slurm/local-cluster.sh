#!/usr/bin/env bash
# A private single-node Slurm on this machine, for tests: munged, slurmctld and slurmd on localhost,
# with every state, spool, log, key and socket file under DIR (nothing in /etc is touched).
#
# Usage: scripts/slurm/local-cluster.sh start DIR   writes DIR/slurm.conf, starts the daemons, waits until
#                                                    the node is idle; prints `export SLURM_CONF=…` (also in DIR/env)
#        scripts/slurm/local-cluster.sh stop DIR    stops the daemons it started (by their pid files)
# Variables: CPUS (node CPUs, default 2), SLURMCTLD_PORT (default 6817), SLURMD_PORT (default 6818).
# Needs the Debian packages slurm-wlm and munge (scripts/test-slurm.sh installs them).
set -euo pipefail
action=${1:-}; dir=${2:-}
[ -n "$action" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

stop() {
  if [ -f "$dir/slurm.conf" ]; then SLURM_CONF="$dir/slurm.conf" scontrol shutdown >/dev/null 2>&1 || true; fi
  for name in slurmd slurmctld munged; do
    pidfile="$dir/run/$name.pid"
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; kill "$pid" 2>/dev/null || true; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
  echo "local-cluster: stopped ($dir)"
}

write_conf() {  # the smallest slurm.conf for one node on localhost, no accounting, no cgroups
  local cpus=$1 mem_mb
  mem_mb=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 - 512 ))
  cat > "$dir/slurm.conf" <<CONF
ClusterName=ciesstest
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=${SLURMCTLD_PORT:-6817}
SlurmdPort=${SLURMD_PORT:-6818}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=3600
KillWait=10
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
  for c in munged mungekey slurmctld slurmd sbatch; do
    command -v "$c" >/dev/null || { echo "local-cluster: $c is missing (apt-get install slurm-wlm munge)" >&2; exit 1; }
  done
  mkdir -p "$dir"/{munge,state,spool,log,run}
  chmod 700 "$dir/munge"
  mungekey --create --force --keyfile="$dir/munge/munge.key"
  chmod 600 "$dir/munge/munge.key"
  munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" --pid-file="$dir/run/munged.pid" \
    --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed"
  write_conf "${CPUS:-2}"
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -i
  slurmd -N localhost
  for _ in $(seq 1 120); do
    state=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
    case "$state" in idle*|mixed*|allocated*) break ;; esac
    sleep 0.5
  done
  case "${state:-}" in
    idle*|mixed*|allocated*) ;;
    *) echo "local-cluster: the node did not come up (state '${state:-none}'); logs in $dir/log" >&2; tail -5 "$dir/log/"*.log >&2; exit 1 ;;
  esac
  echo "export SLURM_CONF=$dir/slurm.conf" > "$dir/env"
  echo "local-cluster: up with ${CPUS:-2} CPUs ($dir); export SLURM_CONF=$dir/slurm.conf"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
