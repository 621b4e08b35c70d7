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
#include "listing.h"
#include "settings.h"
#include "table.h"
#include "xmalloc.h"

#define RUNS_LIMIT	20	/* runs listed when --limit is not given */

/* "exit 3", "signal 9" or NULL. */
static const char *
run_exit(const struct db_result *r, int i, char *buf, size_t len)
{
	const char	*v;

	if ((v = db_col(r, i, "signal")) != NULL)
		snprintf(buf, len, "signal %s", v);
	else if ((v = db_col(r, i, "exit_code")) != NULL)
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
		table_add(t, db_col(r, i, "run_id"));
		table_add(t, db_col(r, i, "jobid"));
		table_add(t, db_col(r, i, "dataid"));
		table_add(t, db_col(r, i, "attempt"));
		table_add(t, db_col(r, i, "status"));
		table_add(t, run_exit(r, i, buf, sizeof(buf)));
		table_add(t, db_col(r, i, "host"));
		table_add(t, db_col(r, i, "pid"));
		table_add(t, cmd_time(db_col(r, i, "started_epoch"), buf,
		    sizeof(buf)));
		table_add(t, cmd_duration(db_col(r, i, "duration_secs"), buf,
		    sizeof(buf)));
		table_add(t, db_col(r, i, "label"));
		m = run_pairs(db_col(r, i, "metrics"));
		table_add(t, m);
		free(m);
	}
	cmd_table_print(t);
}

static int
cmd_runs_exec(struct global_opts *g, int argc, char **argv)
{
	enum {
		OPT_JOB = 256, OPT_LABEL, OPT_DATAID, OPT_FAILED, OPT_LIMIT,
		OPT_AFTER
	};
	static const struct option longopts[] = {
		{ "job",	required_argument,	NULL, OPT_JOB },
		{ "label",	required_argument,	NULL, OPT_LABEL },
		{ "dataid",	required_argument,	NULL, OPT_DATAID },
		{ "failed",	no_argument,		NULL, OPT_FAILED },
		{ "limit",	required_argument,	NULL, OPT_LIMIT },
		{ "after",	required_argument,	NULL, OPT_AFTER },
		{ NULL,		0,			NULL, 0 }
	};
	struct settings		*s = NULL;
	struct db		*db = NULL;
	struct db_error		 e = { 0 };
	struct db_result	*r = NULL;
	struct listing_runs	 f = { .limit = RUNS_LIMIT };
	char			*json;
	int			 ch, status;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_JOB:
			f.jobid = optarg;
			break;
		case OPT_LABEL:
			f.label = optarg;
			break;
		case OPT_DATAID:
			f.dataid = optarg;
			break;
		case OPT_FAILED:
			f.failed = true;
			break;
		case OPT_LIMIT:
			if (cmd_parse_limit(optarg, &f.limit) == -1)
				return cmd_usage(&cmd_runs_entry);
			/* A page: "next" names the one after it. */
			f.page = true;
			break;
		case OPT_AFTER:
			f.cursor = optarg;
			f.page = true;
			break;
		default:
			return cmd_usage(&cmd_runs_entry);
		}
	}
	if (optind != argc)
		return cmd_usage(&cmd_runs_entry);
	if (f.jobid != NULL && !ident_valid(f.jobid)) {
		warnx("\"%s\" is not a valid job id", f.jobid);
		return EXIT_USAGE;
	}
	if (f.dataid != NULL && !dataid_valid(f.dataid)) {
		warnx("\"%s\" is not a valid dataid", f.dataid);
		return EXIT_USAGE;
	}
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	if (g->json) {
		status = listing_runs_json(db, &f, &json, &e);
		status = cmd_print_json("list runs", status, json, &e);
		goto out;
	}
	if (listing_runs(db, &f, &r, &e) == -1) {
		status = cmd_db_fail("list runs", &e);
		goto out;
	}
	status = EXIT_OK;
	cmd_print_rows(r, runs_table, "no runs");
out:
	db_result_free(r);
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_runs_entry = {
	"runs", "[--job JOB] [--label LABEL] [--dataid DATAID] [--failed] "
	"[--limit N] [--after CURSOR]",
	"list runs, newest first", cmd_runs_exec
};

static void
show_text(const struct db_result *r)
{
	const char	*v;
	char		 buf[64], buf2[32], *pairs;

	cmd_show_line("run", db_col(r, 0, "run_id"));
	cmd_show_line("job", db_col(r, 0, "jobid"));
	cmd_show_line("dataid", db_col(r, 0, "dataid"));
	cmd_show_line("attempt", db_col(r, 0, "attempt"));
	cmd_show_line("status", db_col(r, 0, "status"));
	if ((v = db_col(r, 0, "signal")) != NULL)
		cmd_show_line("signal", v);
	else
		cmd_show_line("exit code", db_col(r, 0, "exit_code"));
	cmd_show_line("message", db_col(r, 0, "message"));
	cmd_show_host(r);
	cmd_show_line("label", db_col(r, 0, "label"));
	cmd_show_time("started", db_col(r, 0, "started"));
	cmd_show_time("ended", db_col(r, 0, "ended"));
	if (db_col(r, 0, "ended") == NULL)
		snprintf(buf, sizeof(buf), "%s so far", cmd_duration(
		    db_col(r, 0, "duration_secs"), buf2, sizeof(buf2)));
	else
		cmd_duration(db_col(r, 0, "duration_secs"), buf, sizeof(buf));
	cmd_show_line("duration", buf);
	if (strcmp(db_col(r, 0, "status"), "RUNNING") == 0) {
		cmd_show_time("heartbeat", db_col(r, 0, "heartbeat"));
		cmd_show_time("lease until", db_col(r, 0,
		    "lease_until"));
	}
	pairs = run_pairs(db_col(r, 0, "params"));
	cmd_show_line("params", pairs);
	free(pairs);
	pairs = run_pairs(db_col(r, 0, "metrics"));
	cmd_show_line("metrics", pairs);
	free(pairs);
	/* What the job wrote: its escape sequences must not reach the
	 * terminal of whoever reads it. */
	if ((v = db_col(r, 0, "stderr_tail")) != NULL && *v != '\0') {
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
	const char		*errstr;
	char			*json;
	long long		 id;
	int			 status;

	if (argc != 2)
		return cmd_usage(&cmd_show_entry);
	id = strtonum(argv[1], 1, LLONG_MAX, &errstr);
	if (errstr != NULL) {
		warnx("\"%s\" is not a run id", argv[1]);
		return EXIT_USAGE;
	}
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	if (g->json) {
		status = listing_show_json(db, id, &json, &e);
		status = cmd_print_json("read the run", status, json, &e);
		goto out;
	}
	if (listing_show(db, id, &r, &e) == -1) {
		status = cmd_db_fail("read the run", &e);
		goto out;
	}
	status = EXIT_OK;
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
