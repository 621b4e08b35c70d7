#!/bin/sh
# streams.sh: run N streams of the migration on this host and wait for them.
# Each stream claims buckets until none is left; streams on every host
# share the work through the dataflow database, each bucket run once.
# RunJob --streams starts them (a process and a connection each), starts
# again one that died, and passes a stop signal on to all of them.
#
# usage: streams.sh [N]	(default: the number of CPUs)
set -u

n=${1:-$(nproc)}
job=${JOB:-/opt/migration/migrate_customers.sh}
logs=${LOGS:-/var/log/migration}
mkdir -p "$logs"

# Any stream with a failed bucket makes this exit non-zero; the bucket
# stays claimable (up to max_attempts) for the next round.
exec RunJob --drain --streams "$n" -q --label "$(hostname)" \
    --log-dir "$logs" "$job"
