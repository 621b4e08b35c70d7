/* cmd_worker_list.c: "dataflow workers" per worker (runjob --drain and
 * --follow processes, df_worker_list in sql/observe.sql) and "dataflow
 * workers show ID"; "workers --hosts" is the per-host summary of
 * cmd_workers.c. */
#include <err.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "listing.h"
#include "settings.h"
#include "table.h"
#include "xmalloc.h"

static void
worker_list_table(const struct db_result *r)
{
	static const char *const headers[] = {
		"ID", "HOST", "PID", "JOB", "STARTED", "LAST SEEN", "STATE",
		"PROCESSED", "SUCCEEDED", "FAILED", "RUN"
	};
	static const char *const counts[] = {
		"processed", "succeeded", "failed", "run_id"
	};
	struct table	*t;
	char		 buf[32];
	size_t		 c;
	int		 i;

	t = table_new(sizeof(headers) / sizeof(headers[0]), headers);
	table_align(t, 0, TABLE_RIGHT);
	table_align(t, 2, TABLE_RIGHT);
	table_align(t, 5, TABLE_RIGHT);
	for (c = 7; c <= 10; c++)
		table_align(t, c, TABLE_RIGHT);
	for (i = 0; i < db_rows(r); i++) {
		table_add(t, db_col(r, i, "worker_id"));
		table_add(t, db_col(r, i, "host"));
		table_add(t, db_col(r, i, "pid"));
		table_add(t, db_col(r, i, "jobid"));
		table_add(t, cmd_time(db_col(r, i, "started_epoch"), buf,
		    sizeof(buf)));
		table_add(t, cmd_ago(db_col(r, i, "last_seen_secs"), buf,
		    sizeof(buf)));
		table_add(t, db_col(r, i, "state"));
		for (c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
			table_add(t, db_col(r, i, counts[c]));
	}
	cmd_table_print(t);
}

static void
worker_show_text(const struct db_result *r, const struct db_result *runs)
{
	static const char *const headers[] = {
		"RUN", "DATAID", "STATUS", "STARTED", "DURATION"
	};
	struct table	*t;
	char		 buf[64], tbuf[64], *s;
	int		 i;

	cmd_show_line("worker", db_col(r, 0, "worker_id"));
	cmd_show_line("job", db_col(r, 0, "jobid"));
	cmd_show_line("state", db_col(r, 0, "state"));
	cmd_show_host(r);
	s = xasprintf("%s%s%s", db_col(r, 0, "mode"), db_col(r, 0, "stream") !=
	    NULL ? ", stream " : "", db_col(r, 0, "stream") != NULL ?
	    db_col(r, 0, "stream") : "");
	cmd_show_line("mode", s);
	free(s);
	cmd_show_line("version", db_col(r, 0, "version"));
	cmd_show_time("started", db_col(r, 0, "started"));
	s = xasprintf("%s (%s; heartbeat every %ss)",
	    table_time_iso(db_col(r, 0, "last_seen"), tbuf, sizeof(tbuf)),
	    cmd_ago(db_col(r, 0, "last_seen_secs"), buf, sizeof(buf)),
	    db_col(r, 0, "beat_secs"));
	cmd_show_line("last seen", s);
	free(s);
	cmd_show_time("stopped", db_col(r, 0, "stopped"));
	s = xasprintf("%s (%s succeeded, %s failed)", db_col(r, 0,
	    "processed"), db_col(r, 0, "succeeded"), db_col(r, 0, "failed"));
	cmd_show_line("processed", s);
	free(s);
	if (db_col(r, 0, "run_id") != NULL) {
		s = xasprintf("%s (dataid %s)", db_col(r, 0, "run_id"),
		    db_col(r, 0, "dataid"));
		cmd_show_line("run", s);
		free(s);
	}
	if (db_rows(runs) == 0)
		return;
	printf("latest runs:\n");
	t = table_new(sizeof(headers) / sizeof(headers[0]), headers);
	table_align(t, 0, TABLE_RIGHT);
	table_align(t, 4, TABLE_RIGHT);
	for (i = 0; i < db_rows(runs); i++) {
		table_add(t, db_col(runs, i, "run_id"));
		table_add(t, db_col(runs, i, "dataid"));
		table_add(t, db_col(runs, i, "status"));
		table_add(t, cmd_time(db_col(runs, i, "started_epoch"), buf,
		    sizeof(buf)));
		table_add(t, cmd_duration(db_col(runs, i, "duration_secs"), buf,
		    sizeof(buf)));
	}
	cmd_table_print(t);
}

int
cmd_worker_list(struct global_opts *g, const char *id)
{
	struct settings		*s = NULL;
	struct db		*db;
	struct db_error		 e = { 0 };
	struct db_result	*r = NULL, *runs = NULL;
	const char		*errstr;
	char			*json;
	long long		 n = 0;
	int			 status;

	if (id != NULL) {
		n = strtonum(id, 1, LLONG_MAX, &errstr);
		if (errstr != NULL) {
			warnx("\"%s\" is not a worker id", id);
			return EXIT_USAGE;
		}
	}
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	if (g->json) {
		status = id == NULL ? listing_worker_list_json(db, &json, &e) :
		    listing_worker_show_json(db, n, &json, &e);
		status = cmd_print_json("read the workers", status, json, &e);
	} else if ((id == NULL ? listing_worker_list(db, &r, &e) :
	    listing_worker_show(db, n, &r, &runs, &e)) == -1)
		status = cmd_db_fail("read the workers", &e);
	else {
		status = EXIT_OK;
		if (id != NULL)
			worker_show_text(r, runs);
		else
			cmd_print_rows(r, worker_list_table, "no workers: none "
			    "registered in the last week (\"dataflow workers "
			    "--hosts\" summarizes the runs)");
	}
	db_result_free(runs);
	db_result_free(r);
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}
