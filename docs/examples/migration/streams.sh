#!/bin/sh
# streams.sh: run N streams of the migration on this host and wait for them.
# Each stream claims buckets until none is left; streams on every host
# share the work through the dataflow database, each bucket run once.
#
# usage: streams.sh [N]	(default: the number of CPUs)
set -u

n=${1:-$(nproc)}
job=${JOB:-/opt/migration/migrate_customers.sh}
logs=${LOGS:-/var/log/migration}
mkdir -p "$logs"

i=1
while [ "$i" -le "$n" ]; do
	RunJob --drain -q --label "$(hostname)-$i" --log-dir "$logs" "$job" &
	i=$((i + 1))
done
status=0
# Any stream with a failed bucket makes this exit non-zero; the bucket
# stays claimable (up to max_attempts) for the next round.
for pid in $(jobs -p); do
	wait "$pid" || status=$?
done
exit "$status"
