#!/bin/bash
# migrate_customers.sh: copy one bucket of customers (the partition, dataid
# 0001..4096) from the legacy database to the new one. Idempotent: the
# bucket is deleted and copied again in one transaction of the new
# database, so a retried partition leaves no duplicates.
# RunJob gives it the connection details of its datasets and the bucket.
set -eu

bucket=$((10#$dataid - 1))	# 0..4095
echo "migrate_customers: bucket $bucket of $BUCKETS (run $DATAFLOW_RUNID)"

PGPASSWORD=$legacy_customers_password psql -X -q -v ON_ERROR_STOP=1 \
    -h "$legacy_customers_hostname" -d "$legacy_customers_database" \
    -U "$legacy_customers_username" \
    -c "\\copy (SELECT * FROM $legacy_customers_schemaname.$legacy_customers_tablename
        WHERE abs(hashtext(id::text)) % $BUCKETS = $bucket) TO STDOUT" |
PGPASSWORD=$customers_password psql -X -q -v ON_ERROR_STOP=1 -1 \
    -h "$customers_hostname" -d "$customers_database" \
    -U "$customers_username" \
    -c "DELETE FROM $customers_schemaname.$customers_tablename
        WHERE abs(hashtext(id::text)) % $BUCKETS = $bucket" \
    -c "\\copy $customers_schemaname.$customers_tablename FROM STDIN"

# Metrics kept with the run: dataflow show RUN prints them.
echo "bucket=$bucket" >> "$DATAFLOW_METRICS_FILE"
