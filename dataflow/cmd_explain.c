/* cmd_explain.c: "dataflow explain": why a job would or would not run its
 * next partitions (or a named one) now. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "ids.h"
#include "settings.h"
#include "table.h"

#define EXPLAIN_LIMIT	10	/* partitions explained by default */

static const char job_sql[] =
    "SELECT s.jobid, s.paused, s.run_order, s.max_running, "
    "s.max_attempts, s.running FROM df_status($1) s";

/* df_explain (sql/ops.sql) with times as ISO 8601. */
static const char explain_sql[] =
    "SELECT x.dataid, x.verdict, x.reason, x.state, x.attempts, "
    "x.failures, x.run_id, x.host, x.pid, "
    "to_json(x.since) #>> '{}' AS since, "
    "to_json(x.lease_until) #>> '{}' AS lease_until, "
    "x.inputs::text AS inputs "
    "FROM df_explain($1, $2, $3, $4::integer) x";

static const char *
col(const struct db_result *r, int i, const char *name)
{
	return db_value(r, i, db_colnum(r, name));
}

static json_t *
explain_json(const struct db_result *job, const struct db_result *r)
{
	json_t	*o, *a, *x;
	int	 i;

	a = json_array();
	for (i = 0; i < db_rows(r); i++) {
		x = json_object();
		json_object_set_new(x, "dataid", cmd_json_str(col(r, i,
		    "dataid")));
		json_object_set_new(x, "verdict", cmd_json_str(col(r, i,
		    "verdict")));
		json_object_set_new(x, "reason", cmd_json_str(col(r, i,
		    "reason")));
		json_object_set_new(x, "state", cmd_json_str(col(r, i,
		    "state")));
		json_object_set_new(x, "attempts", cmd_json_int(col(r, i,
		    "attempts")));
		json_object_set_new(x, "failures", cmd_json_int(col(r, i,
		    "failures")));
		json_object_set_new(x, "run_id", cmd_json_int(col(r, i,
		    "run_id")));
		json_object_set_new(x, "host", cmd_json_str(col(r, i,
		    "host")));
		json_object_set_new(x, "pid", cmd_json_int(col(r, i, "pid")));
		json_object_set_new(x, "since", cmd_json_str(col(r, i,
		    "since")));
		json_object_set_new(x, "lease_until", cmd_json_str(col(r, i,
		    "lease_until")));
		json_object_set_new(x, "inputs", cmd_json_parse(col(r, i,
		    "inputs")));
		json_array_append_new(a, x);
	}
	o = json_object();
	json_object_set_new(o, "jobid", cmd_json_str(col(job, 0, "jobid")));
	json_object_set_new(o, "paused", cmd_json_bool(col(job, 0,
	    "paused")));
	json_object_set_new(o, "order", cmd_json_str(col(job, 0,
	    "run_order")));
	json_object_set_new(o, "max_running", cmd_json_int(col(job, 0,
	    "max_running")));
	json_object_set_new(o, "max_attempts", cmd_json_int(col(job, 0,
	    "max_attempts")));
	json_object_set_new(o, "running", cmd_json_int(col(job, 0,
	    "running")));
	json_object_set_new(o, "partitions", a);
	return o;
}

static void
explain_text(const struct db_result *job, const struct db_result *r,
    const char *dataid)
{
	static const char *const headers[] = { "DATAID", "VERDICT", "REASON" };
	struct table	*t;
	const char	*max = col(job, 0, "max_running");
	int		 i;

	printf("job %s: %s, %s, max_attempts %s, %s running%s%s\n",
	    col(job, 0, "jobid"),
	    strcmp(col(job, 0, "paused"), "t") == 0 ? "PAUSED" : "active",
	    col(job, 0, "run_order"), col(job, 0, "max_attempts"),
	    col(job, 0, "running"), max != NULL ? " of max_running " : "",
	    max != NULL ? max : "");
	if (db_rows(r) == 0) {
		printf("nothing pending: every partition of its inputs was "
		    "processed%s\n", dataid != NULL ? "" : " (explain JOB "
		    "DATAID tells about one)");
		return;
	}
	t = table_new(3, headers);
	for (i = 0; i < db_rows(r); i++) {
		table_add(t, col(r, i, "dataid"));
		table_add(t, col(r, i, "verdict"));
		table_add(t, col(r, i, "reason"));
	}
	cmd_table_print(t);
}

static int
cmd_explain_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_LIMIT = 256 };
	static const struct option longopts[] = {
		{ "limit",	required_argument,	NULL, OPT_LIMIT },
		{ NULL,		0,			NULL, 0 }
	};
	struct settings		*s = NULL;
	struct db		*db = NULL;
	struct db_error		 e = { 0 };
	struct db_result	*job = NULL, *r = NULL;
	const char		*p[4], *jobid, *dataid = NULL;
	char			 limbuf[24], today[16];
	struct tm		 tm;
	time_t			 now;
	long			 limit = EXPLAIN_LIMIT;
	int			 ch, status;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_LIMIT:
			if (cmd_parse_limit(optarg, &limit) == -1)
				return cmd_usage(&cmd_explain_entry);
			break;
		default:
			return cmd_usage(&cmd_explain_entry);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2)
		return cmd_usage(&cmd_explain_entry);
	jobid = argv[0];
	if (!ident_valid(jobid)) {
		warnx("\"%s\" is not a valid job id", jobid);
		return EXIT_USAGE;
	}
	if (argc == 2) {
		dataid = argv[1];
		if (!dataid_valid(dataid)) {
			warnx("\"%s\" is not a valid dataid", dataid);
			return EXIT_USAGE;
		}
	}
	/* The "today" input's partition, as runjob computes it. */
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	p[0] = jobid;
	if ((job = db_query(db, job_sql, 1, p, &e)) == NULL) {
		status = cmd_db_fail("explain", &e);
		goto out;
	}
	if (db_rows(job) == 0) {
		warnx("unknown job \"%s\"", jobid);
		status = EXIT_CONFIG;
		goto out;
	}
	snprintf(limbuf, sizeof(limbuf), "%ld", limit);
	p[1] = dataid;
	p[2] = today;
	p[3] = limit > 0 ? limbuf : NULL;
	if ((r = db_query(db, explain_sql, 4, p, &e)) == NULL) {
		status = cmd_db_fail("explain", &e);
		goto out;
	}
	status = EXIT_OK;
	if (g->json)
		cmd_json_print(explain_json(job, r));
	else
		explain_text(job, r, dataid);
out:
	db_result_free(job);
	db_result_free(r);
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_explain_entry = {
	"explain", "[--limit N] JOB [DATAID]",
	"say why a job would or would not run its next partitions now",
	cmd_explain_exec
};
