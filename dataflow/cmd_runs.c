/* cmd_runs.c: the run history: "dataflow runs" lists runs, "dataflow show"
 * prints one in full. */
#include <err.h>
#include <getopt.h>
#include <limits.h>
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
#include "xmalloc.h"

#define RUNS_LIMIT	20	/* runs listed when --limit is not given */

/*
 * The columns of both commands; times as ISO 8601 and as epoch. Params are
 * masked when a run is claimed; masking them again here hides secrets of
 * runs recorded before the rule was widened.
 */
#define RUN_COLUMNS \
    "r.run_id, r.jobid, r.dataid, r.attempt, r.status, r.host, r.pid, " \
    "r.username, r.label, to_json(r.started) #>> '{}' AS started, " \
    "extract(epoch FROM r.started)::bigint AS started_epoch, " \
    "to_json(r.ended) #>> '{}' AS ended, " \
    "extract(epoch FROM coalesce(r.ended, now()) - r.started) " \
    "AS duration_secs, r.exit_code, r.signal, " \
    "(SELECT m FROM df_masked_params(r.params) m)::text AS params, " \
    "r.metrics::text AS metrics, r.message "

static const char runs_sql[] =
    "SELECT " RUN_COLUMNS "FROM run r "
    "WHERE ($1::text IS NULL OR r.jobid = $1) "
    "AND ($2::text IS NULL OR r.label = $2) "
    "AND ($3::text IS NULL OR r.dataid = $3) "
    "AND (NOT $4::boolean OR r.status IN ('FAILED', 'TIMEOUT', "
    "'CANCELLED', 'ABANDONED')) "
    "ORDER BY r.run_id DESC LIMIT $5::bigint";

static const char show_sql[] =
    "SELECT " RUN_COLUMNS ", to_json(r.heartbeat) #>> '{}' AS heartbeat, "
    "to_json(r.lease_until) #>> '{}' AS lease_until, r.stderr_tail, "
    "w.state AS work_state, w.run_id = r.run_id AS holds_work "
    "FROM run r LEFT JOIN work w ON w.jobid = r.jobid "
    "AND w.dataid = r.dataid WHERE r.run_id = $1::bigint";

/* A job that ever existed: its runs are kept after it is removed. */
static const char job_known_sql[] =
    "SELECT 1 FROM job WHERE jobid = $1";

static const char *
col(const struct db_result *r, int i, const char *name)
{
	return db_value(r, i, db_colnum(r, name));
}

/* One run as a JSON object; with full, what only "show" prints. */
static json_t *
run_json(const struct db_result *r, int i, bool full)
{
	json_t	*o = json_object();

	json_object_set_new(o, "run_id", cmd_json_int(col(r, i, "run_id")));
	json_object_set_new(o, "jobid", cmd_json_str(col(r, i, "jobid")));
	json_object_set_new(o, "dataid", cmd_json_str(col(r, i, "dataid")));
	json_object_set_new(o, "attempt", cmd_json_int(col(r, i,
	    "attempt")));
	json_object_set_new(o, "status", cmd_json_str(col(r, i, "status")));
	json_object_set_new(o, "host", cmd_json_str(col(r, i, "host")));
	json_object_set_new(o, "pid", cmd_json_int(col(r, i, "pid")));
	json_object_set_new(o, "user", cmd_json_str(col(r, i, "username")));
	json_object_set_new(o, "label", cmd_json_str(col(r, i, "label")));
	json_object_set_new(o, "started", cmd_json_str(col(r, i,
	    "started")));
	json_object_set_new(o, "ended", cmd_json_str(col(r, i, "ended")));
	json_object_set_new(o, "duration_secs", cmd_json_real(col(r, i,
	    "duration_secs")));
	json_object_set_new(o, "exit_code", cmd_json_int(col(r, i,
	    "exit_code")));
	json_object_set_new(o, "signal", cmd_json_int(col(r, i, "signal")));
	json_object_set_new(o, "message", cmd_json_str(col(r, i,
	    "message")));
	json_object_set_new(o, "params", cmd_json_parse(col(r, i,
	    "params")));
	json_object_set_new(o, "metrics", cmd_json_parse(col(r, i,
	    "metrics")));
	if (!full)
		return o;
	json_object_set_new(o, "heartbeat", cmd_json_str(col(r, i,
	    "heartbeat")));
	json_object_set_new(o, "lease_until", cmd_json_str(col(r, i,
	    "lease_until")));
	json_object_set_new(o, "stderr_tail", cmd_json_str(col(r, i,
	    "stderr_tail")));
	json_object_set_new(o, "work_state", cmd_json_str(col(r, i,
	    "work_state")));
	return o;
}

/* "exit 3", "signal 9" or NULL. */
static const char *
run_exit(const struct db_result *r, int i, char *buf, size_t len)
{
	const char	*v;

	if ((v = col(r, i, "signal")) != NULL)
		snprintf(buf, len, "signal %s", v);
	else if ((v = col(r, i, "exit_code")) != NULL)
		snprintf(buf, len, "%s", v);
	else
		return NULL;
	return buf;
}

/* A JSON object of strings or numbers as "k=v k=v", or NULL if empty. */
static char *
run_pairs(const char *text)
{
	json_t		*o = cmd_json_parse(text), *v;
	const char	*key;
	char		*s = NULL, *n, *val;

	if (!json_is_object(o) || json_object_size(o) == 0) {
		json_decref(o);
		return NULL;
	}
	json_object_foreach(o, key, v) {
		if (json_is_string(v))
			val = xstrdup(json_string_value(v));
		else
			val = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		n = xasprintf("%s%s%s=%s", s != NULL ? s : "",
		    s != NULL ? " " : "", key, val != NULL ? val : "?");
		free(val);
		free(s);
		s = n;
	}
	json_decref(o);
	return s;
}

/* The listing of runs as JSON: {"runs": [...]}. */
static json_t *
runs_json(const struct db_result *r)
{
	json_t	*a = json_array();
	int	 i;

	for (i = 0; i < db_rows(r); i++)
		json_array_append_new(a, run_json(r, i, false));
	return json_pack("{s:o}", "runs", a);
}

static void
runs_table(const struct db_result *r)
{
	static const char *const headers[] = {
		"RUN", "JOB", "DATAID", "ATTEMPT", "STATUS", "EXIT", "HOST",
		"PID", "STARTED", "DURATION", "LABEL", "METRICS"
	};
	struct table	*t;
	char		 buf[32], *m;
	int		 i;

	t = table_new(sizeof(headers) / sizeof(headers[0]), headers);
	table_align(t, 0, TABLE_RIGHT);
	table_align(t, 3, TABLE_RIGHT);
	table_align(t, 5, TABLE_RIGHT);
	table_align(t, 7, TABLE_RIGHT);
	table_align(t, 9, TABLE_RIGHT);
	for (i = 0; i < db_rows(r); i++) {
		table_add(t, col(r, i, "run_id"));
		table_add(t, col(r, i, "jobid"));
		table_add(t, col(r, i, "dataid"));
		table_add(t, col(r, i, "attempt"));
		table_add(t, col(r, i, "status"));
		table_add(t, run_exit(r, i, buf, sizeof(buf)));
		table_add(t, col(r, i, "host"));
		table_add(t, col(r, i, "pid"));
		table_add(t, cmd_time(col(r, i, "started_epoch"), buf,
		    sizeof(buf)));
		table_add(t, cmd_duration(col(r, i, "duration_secs"), buf,
		    sizeof(buf)));
		table_add(t, col(r, i, "label"));
		m = run_pairs(col(r, i, "metrics"));
		table_add(t, m);
		free(m);
	}
	cmd_table_print(t);
}

static int
cmd_runs_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_JOB = 256, OPT_LABEL, OPT_DATAID, OPT_FAILED, OPT_LIMIT };
	static const struct option longopts[] = {
		{ "job",	required_argument,	NULL, OPT_JOB },
		{ "label",	required_argument,	NULL, OPT_LABEL },
		{ "dataid",	required_argument,	NULL, OPT_DATAID },
		{ "failed",	no_argument,		NULL, OPT_FAILED },
		{ "limit",	required_argument,	NULL, OPT_LIMIT },
		{ NULL,		0,			NULL, 0 }
	};
	struct settings		*s = NULL;
	struct db		*db = NULL;
	struct db_error		 e = { 0 };
	struct db_result	*r = NULL;
	const char		*p[5], *jobid = NULL, *label = NULL;
	const char		*dataid = NULL;
	char			 limbuf[24];
	long			 limit = RUNS_LIMIT;
	bool			 failed = false;
	int			 ch, status;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_JOB:
			jobid = optarg;
			break;
		case OPT_LABEL:
			label = optarg;
			break;
		case OPT_DATAID:
			dataid = optarg;
			break;
		case OPT_FAILED:
			failed = true;
			break;
		case OPT_LIMIT:
			if (cmd_parse_limit(optarg, &limit) == -1)
				return cmd_usage(&cmd_runs_entry);
			break;
		default:
			return cmd_usage(&cmd_runs_entry);
		}
	}
	if (optind != argc)
		return cmd_usage(&cmd_runs_entry);
	if (jobid != NULL && !ident_valid(jobid)) {
		warnx("\"%s\" is not a valid job id", jobid);
		return EXIT_USAGE;
	}
	if (dataid != NULL && !dataid_valid(dataid)) {
		warnx("\"%s\" is not a valid dataid", dataid);
		return EXIT_USAGE;
	}
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	if (jobid != NULL) {
		p[0] = jobid;
		if ((r = db_query(db, job_known_sql, 1, p, &e)) == NULL) {
			status = cmd_db_fail("list runs", &e);
			goto out;
		}
		if (db_rows(r) == 0) {
			warnx("unknown job \"%s\"", jobid);
			status = EXIT_CONFIG;
			goto out;
		}
		db_result_free(r);
	}
	snprintf(limbuf, sizeof(limbuf), "%ld", limit);
	p[0] = jobid;
	p[1] = label;
	p[2] = dataid;
	p[3] = failed ? "true" : "false";
	p[4] = limit > 0 ? limbuf : NULL;
	if ((r = db_query(db, runs_sql, 5, p, &e)) == NULL) {
		status = cmd_db_fail("list runs", &e);
		goto out;
	}
	status = EXIT_OK;
	cmd_print_rows(g, r, runs_json, runs_table, "no runs");
out:
	db_result_free(r);
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_runs_entry = {
	"runs", "[--job JOB] [--label LABEL] [--dataid DATAID] [--failed] "
	"[--limit N]",
	"list runs, newest first", cmd_runs_exec
};

/* Print "name  value" when value is not NULL, safe for a terminal. */
static void
show_line(const char *name, const char *value)
{
	char	*safe;

	if (value == NULL)
		return;
	safe = table_safe(value, false);
	printf("%-12s %s\n", name, safe);
	free(safe);
}

static void
show_text(const struct db_result *r)
{
	const char	*v;
	char		 buf[64], buf2[32], *pairs;

	show_line("run", col(r, 0, "run_id"));
	show_line("job", col(r, 0, "jobid"));
	show_line("dataid", col(r, 0, "dataid"));
	show_line("attempt", col(r, 0, "attempt"));
	show_line("status", col(r, 0, "status"));
	if ((v = col(r, 0, "signal")) != NULL)
		show_line("signal", v);
	else
		show_line("exit code", col(r, 0, "exit_code"));
	show_line("message", col(r, 0, "message"));
	pairs = xasprintf("%s (pid %s, user %s)", col(r, 0, "host"),
	    col(r, 0, "pid"), col(r, 0, "username"));
	show_line("host", pairs);
	free(pairs);
	show_line("label", col(r, 0, "label"));
	show_line("started", col(r, 0, "started"));
	show_line("ended", col(r, 0, "ended"));
	if (col(r, 0, "ended") == NULL)
		snprintf(buf, sizeof(buf), "%s so far", cmd_duration(col(r, 0,
		    "duration_secs"), buf2, sizeof(buf2)));
	else
		cmd_duration(col(r, 0, "duration_secs"), buf, sizeof(buf));
	show_line("duration", buf);
	if (strcmp(col(r, 0, "status"), "RUNNING") == 0) {
		show_line("heartbeat", col(r, 0, "heartbeat"));
		show_line("lease until", col(r, 0, "lease_until"));
	}
	pairs = run_pairs(col(r, 0, "params"));
	show_line("params", pairs);
	free(pairs);
	pairs = run_pairs(col(r, 0, "metrics"));
	show_line("metrics", pairs);
	free(pairs);
	/* What the job wrote: its escape sequences must not reach the
	 * terminal of whoever reads it. */
	if ((v = col(r, 0, "stderr_tail")) != NULL && *v != '\0') {
		pairs = table_safe(v, true);
		printf("stderr tail:\n");
		fputs(pairs, stdout);
		if (pairs[strlen(pairs) - 1] != '\n')
			putchar('\n');
		free(pairs);
	}
}

static int
cmd_show_exec(struct global_opts *g, int argc, char **argv)
{
	struct settings		*s = NULL;
	struct db		*db = NULL;
	struct db_error		 e = { 0 };
	struct db_result	*r = NULL;
	const char		*p[1], *errstr;
	int			 status;

	if (argc != 2)
		return cmd_usage(&cmd_show_entry);
	(void)strtonum(argv[1], 1, LLONG_MAX, &errstr);
	if (errstr != NULL) {
		warnx("\"%s\" is not a run id", argv[1]);
		return EXIT_USAGE;
	}
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	p[0] = argv[1];
	if ((r = db_query(db, show_sql, 1, p, &e)) == NULL) {
		status = cmd_db_fail("read the run", &e);
		goto out;
	}
	if (db_rows(r) == 0) {
		warnx("unknown run %s", argv[1]);
		status = EXIT_CONFIG;
		goto out;
	}
	status = EXIT_OK;
	if (g->json)
		cmd_json_print(run_json(r, 0, true));
	else
		show_text(r);
out:
	db_result_free(r);
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_show_entry = {
	"show", "RUN", "print one run in full: params, metrics, stderr tail",
	cmd_show_exec
};
