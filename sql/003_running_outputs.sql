-- 003_running_outputs.sql: schema version 3: find a run's output
-- partitions by its run id. df_end_run marks them READY or FAILED; without
-- this index it scanned every partition of every dataset, and a finish
-- went from ~1 ms to ~90 ms at two million partitions. Partial: only the
-- partitions being produced right now are in it, so it stays tiny.

CREATE INDEX partition_status_running ON partition_status (run_id)
	WHERE status = 'RUNNING';
