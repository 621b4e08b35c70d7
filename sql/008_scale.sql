-- 008_scale.sql: schema version 8: dataflow at scale (SPEC §10,
-- docs/DESIGN-service.md "Scale and retention"): the indexes and table
-- settings that keep the listings and the purge fast at ten million runs.
--
-- Numbered 8 and written to need nothing of a version 7: it only adds.

-- Table settings for sustained draining (docs/PERFORMANCE.md, "Table
-- bloat"). Every claim and finish rewrites a work row, a run row and the
-- outputs' partition_status rows, and none of those updates can be HOT
-- (each changes a column of a partial index's predicate or key), so
-- free space on a page buys nothing there: what bounds them is vacuum
-- coming often. The default scale factor (20 %) lets a table of ten
-- million runs carry two million dead ones before it is vacuumed; these
-- make vacuum run after ~1-2 % instead, and analyze keep the planner's
-- counts of claimable work current. The worker row is the exception:
-- its updates (last_seen, state, counters) touch no index and are HOT
-- when its page has room.
ALTER TABLE work SET (autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE run SET (autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_vacuum_insert_scale_factor = 0.05,
    autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE partition_status SET (autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE worker SET (fillfactor = 50);

-- A partition's runs, newest last: "runs --dataid" (with or without
-- --job) and purge's test that a newer run of the same (job, dataid)
-- exists, without scanning a job's whole history.
CREATE INDEX run_partition ON run (dataid, jobid, run_id);
