-- roles.sql: who may do what in dataflow's schema (dataflow(1), ROLES).
-- Run by every "dataflow init" after the functions are re-created, as their
-- rights must follow them; idempotent. The names of the three group roles
-- come from the C side (lib/schema.c): dataflow.runner_role,
-- dataflow.operator_role and dataflow.server_role, set for this transaction
-- only.
--
--   runner    what runjob does: claim, renew and finish runs, through the
--             SECURITY DEFINER df_claim, df_renew and df_end_run, and
--             register, beat and stop its worker (df_worker_start,
--             df_worker_beat, df_worker_stop) and end the claims whose
--             answer it lost (df_worker_release); df_channel names what to
--             LISTEN to. No table, no other function: it cannot change a
--             job, a dataset, a notify command or parameters.
--   operator  the operations commands: read every table, run the read-only
--             functions as itself (the worker listing among them), and the
--             four that change state (df_ready, df_resubmit, df_set_paused,
--             df_trigger) and the match of a job by its tags (df_match_job,
--             which the server's role, reading no table, needs too) as the
--             owner.
--   server    "dataflow serve": no table at all (so it cannot read a
--             dataset's encryptedpass, nor a token's hash), EXECUTE on the
--             SECURITY DEFINER functions it serves: the listings
--             (df_list_*), the four that change state, the match of a job
--             by its tags, the check of a token (df_token_auth) and the
--             console's sessions (df_session_*).
--   owner     the schema's owner, who runs init, apply, rekey and import,
--             and alone calls the writers of the audit trail (df_audit)
--             and of an import (df_import_partitions, df_import_work):
--             neither role is granted them.
--
-- Each init first takes back whatever the roles held, then grants the
-- lists below: a right a new version drops is dropped, a function
-- re-created under a new signature is granted again.
DO $$
DECLARE
	v_schema	text := current_schema();
	v_nsp		oid;
	v_runner	text := current_setting('dataflow.runner_role', true);
	v_operator	text := current_setting('dataflow.operator_role', true);
	v_server	text := current_setting('dataflow.server_role', true);
	v_create	boolean;
	v_role		text;
	v_f		text;
BEGIN
	SELECT n.oid INTO v_nsp FROM pg_namespace n WHERE n.nspname = v_schema;

	-- PostgreSQL lets PUBLIC execute every function it creates.
	EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM PUBLIC',
	    v_schema);
	EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM PUBLIC',
	    v_schema);

	-- The roles, when this user may create them (CREATEROLE); otherwise
	-- "dataflow init" says which are missing and how to create them.
	SELECT r.rolsuper OR r.rolcreaterole INTO v_create
	FROM pg_roles r WHERE r.rolname = current_user;
	FOREACH v_role IN ARRAY ARRAY[v_runner, v_operator, v_server] LOOP
		IF v_role IS NOT NULL AND v_role <> '' AND NOT EXISTS (
		    SELECT 1 FROM pg_roles r WHERE r.rolname = v_role) THEN
			IF v_create THEN
				EXECUTE format('CREATE ROLE %I NOLOGIN',
				    v_role);
			END IF;
		END IF;
		IF v_role IS NOT NULL AND EXISTS (SELECT 1 FROM pg_roles r
		    WHERE r.rolname = v_role) THEN
			EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA '
			    '%I FROM %I', v_schema, v_role);
			EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I '
			    'FROM %I', v_schema, v_role);
			EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA '
			    '%I FROM %I', v_schema, v_role);
			EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I',
			    v_schema, v_role);
		END IF;
	END LOOP;

	IF EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = v_runner) THEN
		FOR v_f IN SELECT p.oid::regprocedure::text FROM pg_proc p
		    WHERE p.pronamespace = v_nsp AND p.proname IN
			('df_claim', 'df_renew', 'df_end_run',
			 'df_worker_start', 'df_worker_beat',
			 'df_worker_stop', 'df_worker_release',
			 'df_channel') LOOP
			EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I',
			    v_f, v_runner);
		END LOOP;
		-- The claim reads the schema's version (a runjob refuses
		-- one it does not know).
		EXECUTE format('GRANT SELECT ON TABLE %I.schema_version TO %I',
		    v_schema, v_runner);
	END IF;

	IF EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = v_operator) THEN
		EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO %I',
		    v_schema, v_operator);
		-- The commands' functions, and the read-only helpers that
		-- the invoker ones call (as the operator).
		FOR v_f IN SELECT p.oid::regprocedure::text FROM pg_proc p
		    WHERE p.pronamespace = v_nsp AND p.proname IN
			('df_status', 'df_explain', 'df_grid', 'df_workers',
			 'df_metrics', 'df_graph', 'df_ready', 'df_resubmit',
			 'df_set_paused', 'df_latest_floor',
			 'df_pending_since', 'df_input_status',
			 'df_latest_floor_row', 'df_pending_since_row',
			 'df_explain_candidates',
			 'df_missing_inputs', 'df_inputs_ready',
			 'df_pending_state', 'df_masked_params',
			 'df_secret_name', 'df_masked_plan',
			 'df_masked_plan_line', 'df_trigger', 'df_worker_list',
			 'df_channel', 'df_match_job', 'df_cursor',
			 'df_uncursor', 'df_uncursor_id', 'df_list_known',
			 'df_list_status', 'df_list_runs', 'df_list_show',
			 'df_list_explain', 'df_list_audit', 'df_list_hosts',
			 'df_list_workers', 'df_list_graph',
			 'df_list_partitions', 'df_list_timeline',
			 'df_list_backlog', 'df_duration_window',
			 'df_duration_quantiles', 'df_duration_bucket',
			 'df_duration_bounds', 'df_duration_counts',
			 'df_duration_hour_at') LOOP
			EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I',
			    v_f, v_operator);
		END LOOP;
	END IF;

	-- Only SECURITY DEFINER functions: an invoker one would read the
	-- tables as the server, which may read none.
	IF EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = v_server) THEN
		FOR v_f IN SELECT p.oid::regprocedure::text FROM pg_proc p
		    WHERE p.pronamespace = v_nsp AND p.prosecdef AND
			(p.proname LIKE 'df\_list\_%' OR p.proname IN
			('df_ready', 'df_resubmit', 'df_set_paused',
			 'df_trigger', 'df_match_job', 'df_channel',
			 'df_token_auth', 'df_session_start',
			 'df_session_auth', 'df_session_end')) LOOP
			EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I',
			    v_f, v_server);
		END LOOP;
	END IF;
END
$$;
