#!/bin/bash
# The Slurm recipe of docs/cluster.md, run for real on one machine (tests/run.sh runs it after the suite): starts munge,
# slurmctld and slurmd on loopback with a configuration of its own, builds a lake of 12 fragments, submits the
# recipe's job (plan, a 4-task array of `querylake shard run`, a dependent commit) and checks the column and the one
# new version. Needs root and `apt-get install slurm-wlm`; run from the repository after `dotnet build -c Release`.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
export SLURM_CONF=$work/etc/slurm.conf PATH=$work/bin:$PATH
mkdir -p $work/etc $work/bin $work/spool/ctld $work/spool/d $work/log
printf '#!/bin/bash\nexec dotnet %s "$@"\n' "$repo/src/QueryLake.Cli/bin/Release/net10.0/querylake.dll" > $work/bin/querylake
chmod +x $work/bin/querylake
host=$(hostname -s)
cpus=$(nproc)
# Ports of their own, so another Slurm on the machine (or a check left running) is never in the way.
read -r ctld_port d_port < <(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1", 0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
cat > $SLURM_CONF <<CONF
ClusterName=ql
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmdSpoolDir=$work/spool/d
StateSaveLocation=$work/spool/ctld
SlurmUser=root
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus Boards=1 SocketsPerBoard=1 CoresPerSocket=$cpus ThreadsPerCore=1 RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
# Slurm 22.05 cannot run without a cgroup plugin; v1 with nothing constrained works in a container.
printf 'CgroupPlugin=cgroup/v1\nIgnoreSystemd=yes\nConstrainCores=no\nConstrainRAMSpace=no\nCgroupAutomount=no\n' > $work/etc/cgroup.conf
# Without systemd (a container, a fresh CI machine) nothing makes munge's socket folder, as systemd's tmpfiles would,
# nor, on some images, its key.
install -d -o munge -g munge -m 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  /usr/sbin/mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null || head -c 1024 /dev/urandom > /etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
fi
pgrep -x munged > /dev/null || /usr/sbin/munged --force
slurmctld
slurmd
for _ in $(seq 30); do [ -s $work/slurmctld.pid ] && [ -s $work/slurmd.pid ] && break; sleep 0.2; done
pids="$(cat $work/slurmctld.pid $work/slurmd.pid 2>/dev/null | tr '\n' ' ')"
# The daemons stop, and then their folder goes, however the check ends.
trap 'kill $pids 2>/dev/null || true; sleep 1; rm -rf $work' EXIT
for _ in $(seq 30); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 1; done

{ echo "CREATE DATASET scenes (id BIGINT, brightness DOUBLE);"
  for f in $(seq 0 11); do echo "INSERT INTO scenes SELECT range + $((f * 1000)), range * 0.25 FROM range(1000);"; done; } > $work/make.sql
querylake $work/lake -f $work/make.sql > /dev/null
cat > $work/enrich.sh <<JOB
#!/bin/bash
#SBATCH --job-name=enrich-plan
set -e
LAKE=$work/lake WORK=$work/shards
querylake shard plan \$LAKE \$WORK -c "ALTER DATASET scenes ADD COLUMN brightness2 AS brightness * 2"
run=\$(sbatch --parsable --array=0-3 --output=$work/log/run-%A_%a.out --wrap "querylake shard run \$LAKE \$WORK")
sbatch --dependency=afterok:\$run --output=$work/log/commit-%j.out --wrap "querylake shard commit \$LAKE \$WORK"
JOB
start=$(date +%s)
sbatch --output=$work/log/plan-%j.out $work/enrich.sh > /dev/null
sleep 2
while squeue -h | grep -q .; do sleep 1; done
echo "job done in $(( $(date +%s) - start )) s"
cat $work/log/*.out
result=$(querylake $work/lake --format csv -c "SELECT count(*), count(brightness2), sum(CASE WHEN brightness2 = brightness * 2 THEN 1 ELSE 0 END) FROM scenes" | tail -1)
[ "$result" = "12000,12000,12000" ] || { echo "FAILED: $result"; exit 1; }
grep -q "added column brightness2" $work/log/commit-*.out || { echo "FAILED: no commit"; exit 1; }
echo "OK: 12000 rows enriched by 4 array tasks, one commit"
