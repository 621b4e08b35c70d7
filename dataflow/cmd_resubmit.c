/* cmd_resubmit.c: manual changes to what runs: "dataflow resubmit" reruns
 * partitions (and their consumers), "pause" and "resume" stop and restart
 * a job's claims. Each is audited. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "actor.h"
#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "ids.h"
#include "ops.h"
#include "progress.h"
#include "settings.h"
#include "table.h"
#include "xmalloc.h"

/* How many resubmitted partitions the table shows at most. */
#define RESUBMIT_SHOWN	1000

/* Say why ops_resubmit or ops_pause failed; return the exit status. */
static int
ops_fail(const char *what, const struct db_error *e)
{
	if (strcmp(e->sqlstate, "22023") == 0) {
		warnx("%s", e->message);
		return EXIT_USAGE;
	}
	return cmd_db_fail(what, e);
}

/* The output datasets of row i, "a, b", or NULL when none; caller frees. */
static char *
resubmit_outputs(const struct db_result *r, int i)
{
	json_t	*a = cmd_json_parse(db_col(r, i, "outputs")), *v;
	char	*s = NULL, *n;
	size_t	 k;

	json_array_foreach(a, k, v) {
		n = xasprintf("%s%s%s", s != NULL ? s : "",
		    s != NULL ? ", " : "", json_string_value(v));
		free(s);
		s = n;
	}
	json_decref(a);
	return s;
}

/* The table of the partitions in r, the summary rows left out. */
static void
resubmit_table(const struct db_result *r, const char *req, bool dry_run)
{
	static const char *const headers[] = {
		"ACTION", "JOB", "DATAID", "WAS", "NOW", "STALE OUTPUTS",
		"NOTE"
	};
	struct table	*t;
	char		*outs, tbuf[64];
	int		 i, n = db_rows(r);

	t = table_new(sizeof(headers) / sizeof(headers[0]), headers);
	for (i = 0; i < n; i++) {
		if (strcmp(db_col(r, i, "action"), "summary") == 0)
			continue;
		if (strcmp(db_col(r, i, "action"), "refused") == 0)
			table_add(t, dry_run ? "would refuse" : "refused");
		else
			table_add(t, dry_run ? "would resubmit" : "resubmit");
		table_add(t, db_col(r, i, "jobid"));
		table_add(t, db_col(r, i, "dataid"));
		table_add(t, db_col(r, i, "old_state") != NULL ?
		    db_col(r, i, "old_state") : "(none)");
		table_add(t, db_col(r, i, "new_state"));
		outs = resubmit_outputs(r, i);
		table_add(t, outs);
		free(outs);
		if (strcmp(db_col(r, i, "action"), "refused") == 0)
			table_addf(t, "running: held by run %s on host %s "
			    "since %s", db_col(r, i, "run_id"),
			    db_col(r, i, "host"), table_time_iso(db_col(r, i,
			    "since"), tbuf, sizeof(tbuf)));
		else if (strcmp(db_col(r, i, "depth"), "0") != 0)
			table_addf(t, "downstream of %s (depth %s)", req,
			    db_col(r, i, "depth"));
		else
			table_add(t, "");
	}
	cmd_table_print(t);
}

/* Per job and new state, how many were resubmitted: the summary rows. */
static void
resubmit_summary(const struct db_result *r)
{
	static const char *const headers[] = {
		"JOB", "DEPTH", "NOW", "PARTITIONS", "FIRST"
	};
	struct table	*t;
	int		 i;

	t = table_new(sizeof(headers) / sizeof(headers[0]), headers);
	for (i = 0; i < db_rows(r); i++) {
		if (strcmp(db_col(r, i, "action"), "summary") != 0)
			continue;
		table_add(t, db_col(r, i, "jobid"));
		table_add(t, db_col(r, i, "depth"));
		table_add(t, db_col(r, i, "new_state"));
		table_add(t, db_col(r, i, "count"));
		table_add(t, db_col(r, i, "dataid"));
	}
	cmd_table_print(t);
}

static void
resubmit_text(const struct db_result *r, const char *req, bool dry_run,
    int nrefused)
{
	long long	 n;
	int		 shown;

	n = ops_resubmit_done(r, &shown);
	resubmit_table(r, req, dry_run);
	if (n > shown) {
		printf("(%lld more not shown: --json lists every one)\n",
		    n - shown);
		resubmit_summary(r);
	}
	if (dry_run)
		printf("dry run: would resubmit %lld partition%s and refuse "
		    "%d; nothing changed\n", n, n == 1 ? "" : "s", nrefused);
	else
		printf("%lld partition%s resubmitted, %d refused\n", n,
		    n == 1 ? "" : "s", nrefused);
}

/* Print what ops_resubmit did as o asked; return the exit status. */
static int
resubmit_print(const struct global_opts *g, const struct ops_resubmit *o,
    const struct db_result *r)
{
	int	 nrefused = ops_resubmit_refused(r);

	if (g->json)
		cmd_json_print(ops_resubmit_json(r, o));
	else if (ops_resubmit_done(r, NULL) == 0 && nrefused == 0)
		printf("nothing to resubmit\n");
	else if (g->verbosity > 0 || o->dry_run)
		resubmit_text(r, o->jobid, o->dry_run, nrefused);
	if (nrefused == 0)
		return EXIT_OK;
	warnx("%d partition%s running and %s not resubmitted: run "
	    "the command again once %s", nrefused, nrefused == 1 ?
	    " is" : "s are", nrefused == 1 ? "was" : "were",
	    nrefused == 1 ? "it ends" : "they end");
	return EXIT_FAIL;
}

static int
cmd_resubmit_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_FAILED = 256, OPT_DOWNSTREAM, OPT_DRY_RUN, OPT_REASON };
	static const struct option longopts[] = {
		CMD_RANGE_OPTIONS,
		{ "failed",	no_argument,		NULL, OPT_FAILED },
		{ "downstream",	no_argument,		NULL, OPT_DOWNSTREAM },
		{ "dry-run",	no_argument,		NULL, OPT_DRY_RUN },
		{ "reason",	required_argument,	NULL, OPT_REASON },
		{ NULL,		0,			NULL, 0 }
	};
	struct cmd_partitions cp = { 0 };
	struct ops_resubmit o;
	char		*actor = NULL;
	struct settings	*s = NULL;
	struct db	*db = NULL;
	struct db_error	 e = { 0 };
	struct db_result *r = NULL;
	struct progress	*pr;
	int		 ch, rc, status = EXIT_USAGE;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (cmd_range_option(&cp, ch, optarg)) {
		case 1:
			continue;
		case -1:
			return cmd_usage(&cmd_resubmit_entry);
		}
		switch (ch) {
		case OPT_FAILED:
			o.failed = true;
			break;
		case OPT_DOWNSTREAM:
			o.downstream = true;
			break;
		case OPT_DRY_RUN:
			o.dry_run = true;
			break;
		case OPT_REASON:
			o.reason = optarg;
			break;
		default:
			return cmd_usage(&cmd_resubmit_entry);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return cmd_usage(&cmd_resubmit_entry);
	o.jobid = argv[0];
	if (!ident_valid(o.jobid)) {
		warnx("\"%s\" is not a valid job id", o.jobid);
		return EXIT_USAGE;
	}
	if (argc < 2 && !o.failed && !cmd_range_given(&cp)) {
		warnx("name the partitions: DATAID..., a range or --failed");
		return cmd_usage(&cmd_resubmit_entry);
	}
	if (cmd_partitions(&cp, argv + 1, (size_t)argc - 1) == -1)
		return EXIT_USAGE;
	o.ids = cp.ids;
	o.nids = cp.n;
	/* A table of a million lines helps nobody: the first ones and a
	 * summary per job (--json has every one). */
	if (!g->json)
		o.max_rows = RESUBMIT_SHOWN;

	if ((db = cmd_connect(g, &s, &status)) == NULL)
		goto out;
	actor = actor_name();
	o.who = actor;
	/* One statement: the line shows time passing, then goes. */
	pr = progress_new(STDERR_FILENO, "resubmit: working", -1,
	    g->verbosity == 0);
	rc = ops_resubmit(db, &o, &r, &e);
	progress_end(pr);
	if (rc == -1)
		status = ops_fail("resubmit", &e);
	else
		status = resubmit_print(g, &o, r);
out:
	db_error_clear(&e);
	db_result_free(r);
	free(actor);
	cmd_partitions_free(&cp);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_resubmit_entry = {
	"resubmit", "[--downstream] [--dry-run] [--reason TEXT] JOB "
	"[DATAID...] [--from A --to B (--daily | --step N)] [--failed]",
	"rerun partitions of a job (and, with --downstream, their consumers)",
	cmd_resubmit_exec
};

/* pause and resume: the same but for the flag. */
static int
pause_exec(const struct cmd_entry *entry, bool pause, struct global_opts *g,
    int argc, char **argv)
{
	enum { OPT_REASON = 256 };
	static const struct option longopts[] = {
		{ "reason",	required_argument,	NULL, OPT_REASON },
		{ NULL,		0,			NULL, 0 }
	};
	struct settings		*s = NULL;
	struct db		*db = NULL;
	struct db_error		 e = { 0 };
	const char		*reason = NULL, *jobid;
	char			*actor = NULL;
	json_t			*doc = NULL;
	bool			 changed;
	int			 ch, status;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_REASON:
			reason = optarg;
			break;
		default:
			return cmd_usage(entry);
		}
	}
	if (argc - optind != 1)
		return cmd_usage(entry);
	jobid = argv[optind];
	if (!ident_valid(jobid)) {
		warnx("\"%s\" is not a valid job id", jobid);
		return EXIT_USAGE;
	}
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	actor = actor_name();
	if (ops_pause(db, jobid, pause, reason, actor, &changed, &doc,
	    &e) == -1) {
		status = ops_fail(pause ? "pause" : "resume", &e);
		goto out;
	}
	status = EXIT_OK;
	if (g->json) {
		cmd_json_print(doc);
		doc = NULL;
	} else if (g->verbosity > 0)
		printf("job %s %s%s\n", jobid, changed ? "" : "was already ",
		    pause ? "paused" : (changed ? "resumed" : "active"));
out:
	json_decref(doc);
	db_error_clear(&e);
	free(actor);
	db_close(db);
	settings_free(s);
	return status;
}

static int
cmd_pause_exec(struct global_opts *g, int argc, char **argv)
{
	return pause_exec(&cmd_pause_entry, true, g, argc, argv);
}

static int
cmd_resume_exec(struct global_opts *g, int argc, char **argv)
{
	return pause_exec(&cmd_resume_entry, false, g, argc, argv);
}

const struct cmd_entry cmd_pause_entry = {
	"pause", "[--reason TEXT] JOB",
	"stop a job from claiming partitions (runs in progress go on)",
	cmd_pause_exec
};

const struct cmd_entry cmd_resume_entry = {
	"resume", "[--reason TEXT] JOB", "let a paused job claim again",
	cmd_resume_exec
};
