/* cmd_status.c: "dataflow status": per job, what is claimable, running,
 * done and failed, how far behind it is, and its last run. */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "ids.h"
#include "settings.h"
#include "table.h"

/* df_status (sql/ops.sql) with times as ISO 8601 for JSON. */
static const char status_sql[] =
    "SELECT s.jobid, s.paused, s.run_order, s.max_running, "
    "s.max_attempts, s.owner, s.claimable, s.ready, s.retrying, "
    "s.waiting, s.running, s.done, s.failed, s.skipped, s.oldest_dataid, "
    "s.oldest_state, to_json(s.oldest_since) #>> '{}' AS oldest_since, "
    "s.lag_secs, s.last_run_id, s.last_dataid, s.last_status, "
    "s.last_exit_code, s.last_signal, "
    "to_json(s.last_started) #>> '{}' AS last_started, "
    "to_json(s.last_ended) #>> '{}' AS last_ended, "
    "s.last_duration_secs, extract(epoch FROM now() - "
    "coalesce(s.last_ended, s.last_started)) AS last_age_secs "
    "FROM df_status($1) s";

/* The value of column name in row i of r, or NULL. */
static const char *
col(const struct db_result *r, int i, const char *name)
{
	return db_value(r, i, db_colnum(r, name));
}

static long long
col_ll(const struct db_result *r, int i, const char *name)
{
	const char	*v = col(r, i, name);

	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

/* One word for what a job is doing: paused, busy, running, ready, idle. */
static const char *
status_state(const struct db_result *r, int i)
{
	const char	*max = col(r, i, "max_running");

	if (strcmp(col(r, i, "paused"), "t") == 0)
		return "paused";
	if (max != NULL && col_ll(r, i, "running") >= strtoll(max, NULL, 10))
		return "busy";
	if (col_ll(r, i, "running") > 0)
		return "running";
	if (col_ll(r, i, "claimable") > 0)
		return "ready";
	return "idle";
}

static json_t *
status_json(const struct db_result *r)
{
	json_t	*a = json_array(), *o, *x;
	int	 i;

	for (i = 0; i < db_rows(r); i++) {
		o = json_object();
		json_object_set_new(o, "jobid", cmd_json_str(col(r, i,
		    "jobid")));
		json_object_set_new(o, "state", json_string(status_state(r,
		    i)));
		json_object_set_new(o, "paused", cmd_json_bool(col(r, i,
		    "paused")));
		json_object_set_new(o, "order", cmd_json_str(col(r, i,
		    "run_order")));
		json_object_set_new(o, "max_running", cmd_json_int(col(r, i,
		    "max_running")));
		json_object_set_new(o, "max_attempts", cmd_json_int(col(r, i,
		    "max_attempts")));
		json_object_set_new(o, "owner", cmd_json_str(col(r, i,
		    "owner")));
		json_object_set_new(o, "claimable", cmd_json_int(col(r, i,
		    "claimable")));
		json_object_set_new(o, "ready", cmd_json_int(col(r, i,
		    "ready")));
		json_object_set_new(o, "retrying", cmd_json_int(col(r, i,
		    "retrying")));
		json_object_set_new(o, "waiting", cmd_json_int(col(r, i,
		    "waiting")));
		json_object_set_new(o, "running", cmd_json_int(col(r, i,
		    "running")));
		json_object_set_new(o, "done", cmd_json_int(col(r, i,
		    "done")));
		json_object_set_new(o, "failed", cmd_json_int(col(r, i,
		    "failed")));
		json_object_set_new(o, "skipped", cmd_json_int(col(r, i,
		    "skipped")));
		if (col(r, i, "oldest_dataid") != NULL) {
			x = json_object();
			json_object_set_new(x, "dataid", cmd_json_str(col(r,
			    i, "oldest_dataid")));
			json_object_set_new(x, "state", cmd_json_str(col(r,
			    i, "oldest_state")));
			json_object_set_new(x, "since", cmd_json_str(col(r,
			    i, "oldest_since")));
			json_object_set_new(x, "lag_secs", cmd_json_real(col(r,
			    i, "lag_secs")));
		} else
			x = json_null();
		json_object_set_new(o, "oldest", x);
		if (col(r, i, "last_run_id") != NULL) {
			x = json_object();
			json_object_set_new(x, "run_id", cmd_json_int(col(r,
			    i, "last_run_id")));
			json_object_set_new(x, "dataid", cmd_json_str(col(r,
			    i, "last_dataid")));
			json_object_set_new(x, "status", cmd_json_str(col(r,
			    i, "last_status")));
			json_object_set_new(x, "exit_code", cmd_json_int(col(r,
			    i, "last_exit_code")));
			json_object_set_new(x, "signal", cmd_json_int(col(r,
			    i, "last_signal")));
			json_object_set_new(x, "started", cmd_json_str(col(r,
			    i, "last_started")));
			json_object_set_new(x, "ended", cmd_json_str(col(r,
			    i, "last_ended")));
			json_object_set_new(x, "duration_secs",
			    cmd_json_real(col(r, i, "last_duration_secs")));
		} else
			x = json_null();
		json_object_set_new(o, "last_run", x);
		json_array_append_new(a, o);
	}
	return json_pack("{s:o}", "jobs", a);
}

static void
status_table(const struct db_result *r)
{
	static const char *const headers[] = {
		"JOB", "STATE", "CLAIMABLE", "RETRYING", "RUNNING", "DONE",
		"FAILED", "WAITING", "OLDEST", "LAG", "LAST RUN", "OUTCOME",
		"DURATION"
	};
	struct table	*t;
	const char	*v;
	char		 buf[32];
	size_t		 c;
	int		 i;

	t = table_new(sizeof(headers) / sizeof(headers[0]), headers);
	for (c = 2; c <= 7; c++)
		table_align(t, c, TABLE_RIGHT);
	table_align(t, 9, TABLE_RIGHT);
	table_align(t, 12, TABLE_RIGHT);
	for (i = 0; i < db_rows(r); i++) {
		table_add(t, col(r, i, "jobid"));
		table_add(t, status_state(r, i));
		table_add(t, col(r, i, "claimable"));
		table_add(t, col(r, i, "retrying"));
		if ((v = col(r, i, "max_running")) != NULL)
			table_addf(t, "%s/%s", col(r, i, "running"), v);
		else
			table_add(t, col(r, i, "running"));
		table_add(t, col(r, i, "done"));
		table_add(t, col(r, i, "failed"));
		table_add(t, col(r, i, "waiting"));
		table_add(t, col(r, i, "oldest_dataid"));
		table_add(t, cmd_duration(col(r, i, "lag_secs"), buf,
		    sizeof(buf)));
		if (col(r, i, "last_run_id") == NULL) {
			table_add(t, NULL);
			table_add(t, NULL);
			table_add(t, NULL);
			continue;
		}
		table_addf(t, "#%s %s ago", col(r, i, "last_run_id"),
		    cmd_duration(col(r, i, "last_age_secs"), buf,
		    sizeof(buf)));
		if ((v = col(r, i, "last_signal")) != NULL)
			table_addf(t, "%s (signal %s)", col(r, i,
			    "last_status"), v);
		else if ((v = col(r, i, "last_exit_code")) != NULL &&
		    strcmp(v, "0") != 0)
			table_addf(t, "%s (exit %s)", col(r, i,
			    "last_status"), v);
		else
			table_add(t, col(r, i, "last_status"));
		table_add(t, cmd_duration(col(r, i, "last_duration_secs"),
		    buf, sizeof(buf)));
	}
	cmd_table_print(t);
}

static int
cmd_status_exec(struct global_opts *g, int argc, char **argv)
{
	struct settings		*s = NULL;
	struct db		*db = NULL;
	struct db_error		 e = { 0 };
	struct db_result	*r = NULL;
	const char		*p[1], *jobid = NULL;
	int			 status;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		return cmd_usage(&cmd_status_entry);
	if (argc == 2) {
		jobid = argv[1];
		if (!ident_valid(jobid)) {
			warnx("\"%s\" is not a valid job id", jobid);
			return EXIT_USAGE;
		}
	}
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	p[0] = jobid;
	if ((r = db_query(db, status_sql, 1, p, &e)) == NULL) {
		status = cmd_db_fail("read the status", &e);
		goto out;
	}
	if (jobid != NULL && db_rows(r) == 0) {
		warnx("unknown job \"%s\"", jobid);
		status = EXIT_CONFIG;
		goto out;
	}
	status = EXIT_OK;
	if (g->json)
		cmd_json_print(status_json(r));
	else if (db_rows(r) == 0)
		printf("no jobs: declare them with \"dataflow apply\"\n");
	else
		status_table(r);
out:
	db_result_free(r);
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_status_entry = {
	"status", "[JOB]",
	"per job: claimable, running, done, failed, lag, last run",
	cmd_status_exec
};
