/* cmd_worker_list.c: "dataflow workers" per worker (runjob --drain and
 * --follow processes, df_worker_list in sql/observe.sql) and "dataflow
 * workers show ID"; "workers --hosts" is the per-host summary of
 * cmd_workers.c. */
#include <err.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "settings.h"
#include "table.h"
#include "xmalloc.h"

/* df_worker_list, times as ISO 8601 and as epoch. */
static const char worker_list_sql[] =
    "SELECT k.worker_id, k.jobid, k.host, k.pid, k.username, k.mode, "
    "k.stream, k.version, to_json(k.started) #>> '{}' AS started, "
    "extract(epoch FROM k.started)::bigint AS started_epoch, "
    "to_json(k.last_seen) #>> '{}' AS last_seen, k.last_seen_secs, "
    "k.beat_secs, to_json(k.stopped) #>> '{}' AS stopped, k.state, "
    "k.run_id, k.dataid, k.processed, k.succeeded, k.failed "
    "FROM df_worker_list($1::bigint) k";

/* A worker's latest runs, for "show". */
static const char worker_runs_sql[] =
    "SELECT r.run_id, r.dataid, r.status, "
    "extract(epoch FROM r.started)::bigint AS started_epoch, "
    "extract(epoch FROM coalesce(r.ended, now()) - r.started) "
    "AS duration_secs FROM run r WHERE r.worker_id = $1::bigint "
    "ORDER BY r.run_id DESC LIMIT 10";

static const char *
wcol(const struct db_result *r, int i, const char *name)
{
	return db_value(r, i, db_colnum(r, name));
}

/* One worker as a JSON object. */
static json_t *
worker_json(const struct db_result *r, int i)
{
	static const char *const ints[] = {
		"pid", "stream", "beat_secs", "processed", "succeeded", "failed"
	};
	static const char *const strs[] = {
		"host", "user", "mode", "version", "started", "last_seen",
		"stopped", "state", "dataid"
	};
	json_t	*o = json_object();
	size_t	 k;

	json_object_set_new(o, "id", cmd_json_int(wcol(r, i, "worker_id")));
	json_object_set_new(o, "job", cmd_json_str(wcol(r, i, "jobid")));
	for (k = 0; k < sizeof(strs) / sizeof(strs[0]); k++)
		json_object_set_new(o, strs[k], cmd_json_str(wcol(r, i,
		    k == 1 ? "username" : strs[k])));
	json_object_set_new(o, "last_seen_secs", cmd_json_real(wcol(r, i,
	    "last_seen_secs")));
	for (k = 0; k < sizeof(ints) / sizeof(ints[0]); k++)
		json_object_set_new(o, ints[k], cmd_json_int(wcol(r, i,
		    ints[k])));
	json_object_set_new(o, "run", cmd_json_int(wcol(r, i, "run_id")));
	return o;
}

static json_t *
worker_list_json(const struct db_result *r)
{
	json_t	*a = json_array();
	int	 i;

	for (i = 0; i < db_rows(r); i++)
		json_array_append_new(a, worker_json(r, i));
	return json_pack("{s:o}", "workers", a);
}

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
		table_add(t, wcol(r, i, "worker_id"));
		table_add(t, wcol(r, i, "host"));
		table_add(t, wcol(r, i, "pid"));
		table_add(t, wcol(r, i, "jobid"));
		table_add(t, cmd_time(wcol(r, i, "started_epoch"), buf,
		    sizeof(buf)));
		table_addf(t, "%s ago", cmd_duration(wcol(r, i,
		    "last_seen_secs"), buf, sizeof(buf)));
		table_add(t, wcol(r, i, "state"));
		for (c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
			table_add(t, wcol(r, i, counts[c]));
	}
	cmd_table_print(t);
}

/* Print "name  value" when value is not NULL, safe for a terminal. */
static void
worker_line(const char *name, const char *value)
{
	char	*safe;

	if (value == NULL)
		return;
	safe = table_safe(value, false);
	printf("%-12s %s\n", name, safe);
	free(safe);
}

static void
worker_show_text(const struct db_result *r, const struct db_result *runs)
{
	static const char *const headers[] = {
		"RUN", "DATAID", "STATUS", "STARTED", "DURATION"
	};
	struct table	*t;
	char		 buf[64], *s;
	int		 i;

	worker_line("worker", wcol(r, 0, "worker_id"));
	worker_line("job", wcol(r, 0, "jobid"));
	worker_line("state", wcol(r, 0, "state"));
	s = xasprintf("%s (pid %s, user %s)", wcol(r, 0, "host"),
	    wcol(r, 0, "pid"), wcol(r, 0, "username"));
	worker_line("host", s);
	free(s);
	s = xasprintf("%s%s%s", wcol(r, 0, "mode"), wcol(r, 0, "stream") !=
	    NULL ? ", stream " : "", wcol(r, 0, "stream") != NULL ?
	    wcol(r, 0, "stream") : "");
	worker_line("mode", s);
	free(s);
	worker_line("version", wcol(r, 0, "version"));
	worker_line("started", wcol(r, 0, "started"));
	s = xasprintf("%s (%s ago; heartbeat every %ss)",
	    wcol(r, 0, "last_seen"), cmd_duration(wcol(r, 0,
	    "last_seen_secs"), buf, sizeof(buf)), wcol(r, 0, "beat_secs"));
	worker_line("last seen", s);
	free(s);
	worker_line("stopped", wcol(r, 0, "stopped"));
	s = xasprintf("%s (%s succeeded, %s failed)", wcol(r, 0,
	    "processed"), wcol(r, 0, "succeeded"), wcol(r, 0, "failed"));
	worker_line("processed", s);
	free(s);
	if (wcol(r, 0, "run_id") != NULL) {
		s = xasprintf("%s (dataid %s)", wcol(r, 0, "run_id"),
		    wcol(r, 0, "dataid"));
		worker_line("run", s);
		free(s);
	}
	if (db_rows(runs) == 0)
		return;
	printf("latest runs:\n");
	t = table_new(sizeof(headers) / sizeof(headers[0]), headers);
	table_align(t, 0, TABLE_RIGHT);
	table_align(t, 4, TABLE_RIGHT);
	for (i = 0; i < db_rows(runs); i++) {
		table_add(t, wcol(runs, i, "run_id"));
		table_add(t, wcol(runs, i, "dataid"));
		table_add(t, wcol(runs, i, "status"));
		table_add(t, cmd_time(wcol(runs, i, "started_epoch"), buf,
		    sizeof(buf)));
		table_add(t, cmd_duration(wcol(runs, i, "duration_secs"), buf,
		    sizeof(buf)));
	}
	cmd_table_print(t);
}

/* One worker's latest runs as a JSON array. */
static json_t *
worker_runs_json(const struct db_result *runs)
{
	json_t	*a = json_array();
	int	 i;

	for (i = 0; i < db_rows(runs); i++)
		json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:o}",
		    "run_id", cmd_json_int(wcol(runs, i, "run_id")),
		    "dataid", cmd_json_str(wcol(runs, i, "dataid")),
		    "status", cmd_json_str(wcol(runs, i, "status")),
		    "duration_secs", cmd_json_real(wcol(runs, i,
		    "duration_secs"))));
	return a;
}

int
cmd_worker_list(struct global_opts *g, const char *id)
{
	struct settings		*s = NULL;
	struct db		*db;
	struct db_error		 e = { 0 };
	struct db_result	*r = NULL, *runs = NULL;
	const char		*p[1] = { id }, *errstr;
	json_t			*o;
	int			 status;

	if (id != NULL) {
		(void)strtonum(id, 1, LLONG_MAX, &errstr);
		if (errstr != NULL) {
			warnx("\"%s\" is not a worker id", id);
			return EXIT_USAGE;
		}
	}
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	if ((r = db_query(db, worker_list_sql, 1, p, &e)) == NULL ||
	    (id != NULL && (runs = db_query(db, worker_runs_sql, 1, p,
	    &e)) == NULL)) {
		status = cmd_db_fail("read the workers", &e);
		goto out;
	}
	status = EXIT_OK;
	if (id == NULL)
		cmd_print_rows(g, r, worker_list_json, worker_list_table,
		    "no workers: none registered in the last week "
		    "(\"dataflow workers --hosts\" summarizes the runs)");
	else if (db_rows(r) == 0) {
		warnx("unknown worker %s", id);
		status = EXIT_CONFIG;
	} else if (g->json) {
		o = worker_json(r, 0);
		json_object_set_new(o, "runs", worker_runs_json(runs));
		cmd_json_print(o);
	} else
		worker_show_text(r, runs);
out:
	db_result_free(runs);
	db_result_free(r);
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}
