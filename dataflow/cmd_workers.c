/* cmd_workers.c: "dataflow workers": per worker (cmd_worker_list.c), or
 * with --hosts per host that ran jobs, its runs by outcome, what it runs
 * now, and when it was first and last seen. */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "settings.h"
#include "table.h"

/* df_workers (sql/observe.sql), times as ISO 8601 and as epoch. */
static const char workers_sql[] =
    "SELECT w.host, w.runs, w.running, w.stale, w.succeeded, w.failed, "
    "w.timeout, w.cancelled, w.abandoned, "
    "to_json(w.first_seen) #>> '{}' AS first_seen, "
    "extract(epoch FROM w.first_seen)::bigint AS first_seen_epoch, "
    "to_json(w.last_seen) #>> '{}' AS last_seen, w.last_seen_secs "
    "FROM df_workers() w";

static const char *
col(const struct db_result *r, int i, const char *name)
{
	return db_value(r, i, db_colnum(r, name));
}

static json_t *
workers_json(const struct db_result *r)
{
	static const char *const counts[] = {
		"runs", "running", "stale", "succeeded", "failed", "timeout",
		"cancelled", "abandoned"
	};
	json_t	*a = json_array(), *o;
	size_t	 k;
	int	 i;

	for (i = 0; i < db_rows(r); i++) {
		o = json_object();
		json_object_set_new(o, "host", cmd_json_str(col(r, i,
		    "host")));
		for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++)
			json_object_set_new(o, counts[k], cmd_json_int(col(r,
			    i, counts[k])));
		json_object_set_new(o, "first_seen", cmd_json_str(col(r, i,
		    "first_seen")));
		json_object_set_new(o, "last_seen", cmd_json_str(col(r, i,
		    "last_seen")));
		json_object_set_new(o, "last_seen_secs", cmd_json_real(col(r,
		    i, "last_seen_secs")));
		json_array_append_new(a, o);
	}
	return json_pack("{s:o}", "hosts", a);
}

static void
workers_table(const struct db_result *r)
{
	static const char *const headers[] = {
		"HOST", "RUNNING", "STALE", "RUNS", "SUCCEEDED", "FAILED",
		"TIMEOUT", "CANCELLED", "ABANDONED", "FIRST SEEN", "LAST SEEN"
	};
	static const char *const counts[] = {
		"running", "stale", "runs", "succeeded", "failed", "timeout",
		"cancelled", "abandoned"
	};
	struct table	*t;
	char		 buf[32];
	size_t		 c;
	int		 i;

	t = table_new(sizeof(headers) / sizeof(headers[0]), headers);
	for (c = 1; c <= 8; c++)
		table_align(t, c, TABLE_RIGHT);
	table_align(t, 10, TABLE_RIGHT);
	for (i = 0; i < db_rows(r); i++) {
		table_add(t, col(r, i, "host"));
		for (c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
			table_add(t, col(r, i, counts[c]));
		table_add(t, cmd_time(col(r, i, "first_seen_epoch"), buf,
		    sizeof(buf)));
		table_addf(t, "%s ago", cmd_duration(col(r, i,
		    "last_seen_secs"), buf, sizeof(buf)));
	}
	cmd_table_print(t);
}

static int
cmd_workers_exec(struct global_opts *g, int argc, char **argv)
{
	struct settings		*s = NULL;
	struct db		*db = NULL;
	struct db_error		 e = { 0 };
	struct db_result	*r = NULL;
	int			 status;

	if (argc == 1)
		return cmd_worker_list(g, NULL);
	if (argc == 3 && strcmp(argv[1], "show") == 0)
		return cmd_worker_list(g, argv[2]);
	if (argc != 2 || strcmp(argv[1], "--hosts") != 0)
		return cmd_usage(&cmd_workers_entry);
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	if ((r = db_query(db, workers_sql, 0, NULL, &e)) == NULL) {
		status = cmd_db_fail("read the workers", &e);
		goto out;
	}
	status = EXIT_OK;
	cmd_print_rows(g, r, workers_json, workers_table,
	    "no runs yet: no host has run a job");
out:
	db_result_free(r);
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_workers_entry = {
	"workers", "[--hosts | show ID]",
	"workers and their runs, or per host: runs by outcome, running now",
	cmd_workers_exec
};
