/* cmd_resubmit.c: manual changes to what runs: "dataflow resubmit" reruns
 * partitions (and their consumers), "pause" and "resume" stop and restart
 * a job's claims. Each is audited. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "actor.h"
#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "ids.h"
#include "settings.h"
#include "table.h"
#include "xmalloc.h"

#define REASON_MAX	1000	/* bytes of --reason */

/* df_resubmit (sql/ops.sql) with times as ISO 8601. */
static const char resubmit_sql[] =
    "SELECT x.jobid, x.dataid, x.depth, x.action, x.old_state, "
    "x.new_state, x.run_id, x.host, to_json(x.since) #>> '{}' AS since, "
    "x.outputs::text AS outputs "
    "FROM df_resubmit($1, $2::text[], $3::boolean, $4::boolean, $5, $6) x";

static const char pause_sql[] =
    "SELECT df_set_paused($1, $2::boolean, $3, $4)";

static bool
refused(const struct db_result *r, int i)
{
	return strcmp(db_col(r, i, "action"), "refused") == 0;
}

static int
reason_check(const char *reason)
{
	if (reason != NULL && strlen(reason) > REASON_MAX) {
		warnx("--reason is longer than %d bytes", REASON_MAX);
		return -1;
	}
	return 0;
}

static void
resubmit_json(const struct db_result *r, bool dry_run, const char *reason,
    int nrefused)
{
	json_t	*a = json_array(), *o;
	int	 i;

	for (i = 0; i < db_rows(r); i++) {
		o = json_object();
		json_object_set_new(o, "jobid", cmd_json_str(db_col(r, i,
		    "jobid")));
		json_object_set_new(o, "dataid", cmd_json_str(db_col(r, i,
		    "dataid")));
		json_object_set_new(o, "depth", cmd_json_int(db_col(r, i,
		    "depth")));
		json_object_set_new(o, "action", cmd_json_str(db_col(r, i,
		    "action")));
		json_object_set_new(o, "old_state", cmd_json_str(db_col(r, i,
		    "old_state")));
		json_object_set_new(o, "new_state", cmd_json_str(db_col(r, i,
		    "new_state")));
		json_object_set_new(o, "run_id", cmd_json_int(db_col(r, i,
		    "run_id")));
		json_object_set_new(o, "host", cmd_json_str(db_col(r, i,
		    "host")));
		json_object_set_new(o, "since", cmd_json_str(db_col(r, i,
		    "since")));
		json_object_set_new(o, "outputs", cmd_json_parse(db_col(r, i,
		    "outputs")));
		json_array_append_new(a, o);
	}
	o = json_object();
	json_object_set_new(o, "dry_run", json_boolean(dry_run));
	json_object_set_new(o, "reason", cmd_json_str(reason));
	json_object_set_new(o, "resubmitted",
	    json_integer(db_rows(r) - nrefused));
	json_object_set_new(o, "refused", json_integer(nrefused));
	json_object_set_new(o, "partitions", a);
	cmd_json_print(o);
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

static void
resubmit_text(const struct db_result *r, const char *req, bool dry_run,
    int nrefused)
{
	static const char *const headers[] = {
		"ACTION", "JOB", "DATAID", "WAS", "NOW", "STALE OUTPUTS",
		"NOTE"
	};
	struct table	*t;
	char		*outs;
	int		 i, n = db_rows(r);

	t = table_new(sizeof(headers) / sizeof(headers[0]), headers);
	for (i = 0; i < n; i++) {
		if (refused(r, i))
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
		if (refused(r, i))
			table_addf(t, "running: held by run %s on host %s "
			    "since %s", db_col(r, i, "run_id"),
			    db_col(r, i, "host"), db_col(r, i, "since"));
		else if (strcmp(db_col(r, i, "depth"), "0") != 0)
			table_addf(t, "downstream of %s (depth %s)", req,
			    db_col(r, i, "depth"));
		else
			table_add(t, "");
	}
	cmd_table_print(t);
	if (dry_run)
		printf("dry run: would resubmit %d partition%s and refuse "
		    "%d; nothing changed\n", n - nrefused,
		    n - nrefused == 1 ? "" : "s", nrefused);
	else
		printf("%d partition%s resubmitted, %d refused\n",
		    n - nrefused, n - nrefused == 1 ? "" : "s", nrefused);
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
	const char	*jobid, *reason = NULL, *p[6];
	char		**ids, *array = NULL, *actor = NULL;
	size_t		 nids;
	struct settings	*s = NULL;
	struct db	*db = NULL;
	struct db_error	 e = { 0 }, ignore = { 0 };
	struct db_result *r = NULL;
	bool		 failed = false, downstream = false;
	bool		 dry_run = false, in_tx = false;
	int		 ch, i, nrefused = 0, status = EXIT_USAGE;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (cmd_range_option(&cp, ch, optarg)) {
		case 1:
			continue;
		case -1:
			return cmd_usage(&cmd_resubmit_entry);
		}
		switch (ch) {
		case OPT_FAILED:
			failed = true;
			break;
		case OPT_DOWNSTREAM:
			downstream = true;
			break;
		case OPT_DRY_RUN:
			dry_run = true;
			break;
		case OPT_REASON:
			reason = optarg;
			break;
		default:
			return cmd_usage(&cmd_resubmit_entry);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return cmd_usage(&cmd_resubmit_entry);
	jobid = argv[0];
	if (!ident_valid(jobid)) {
		warnx("\"%s\" is not a valid job id", jobid);
		return EXIT_USAGE;
	}
	if (argc < 2 && !failed && !cmd_range_given(&cp)) {
		warnx("name the partitions: DATAID..., a range or --failed");
		return cmd_usage(&cmd_resubmit_entry);
	}
	if (reason_check(reason) == -1)
		return EXIT_USAGE;
	if (cmd_partitions(&cp, argv + 1, (size_t)argc - 1) == -1)
		return EXIT_USAGE;
	ids = cp.ids;
	nids = cp.n;

	if ((db = cmd_connect(g, &s, &status)) == NULL)
		goto out;
	if (db_begin(db, &e) == -1) {
		status = cmd_db_fail("resubmit", &e);
		goto out;
	}
	in_tx = true;
	actor = actor_name();
	array = db_text_array((const char *const *)ids, nids);
	p[0] = jobid;
	p[1] = array;
	p[2] = failed ? "true" : "false";
	p[3] = downstream ? "true" : "false";
	p[4] = actor;
	p[5] = reason;
	if ((r = db_query(db, resubmit_sql, 6, p, &e)) == NULL) {
		status = cmd_db_fail("resubmit", &e);
		goto out;
	}
	/* A dry run is the real thing, rolled back: exactly what would
	 * change. */
	if (!dry_run && db_commit(db, &e) == -1) {
		status = cmd_db_fail("resubmit", &e);
		goto out;
	}
	in_tx = dry_run;
	for (i = 0; i < db_rows(r); i++)
		nrefused += refused(r, i);
	status = nrefused > 0 ? EXIT_FAIL : EXIT_OK;
	if (g->json)
		resubmit_json(r, dry_run, reason, nrefused);
	else if (db_rows(r) == 0)
		printf("nothing to resubmit\n");
	else if (g->verbosity > 0 || dry_run)
		resubmit_text(r, jobid, dry_run, nrefused);
	if (nrefused > 0)
		warnx("%d partition%s running and %s not resubmitted: run "
		    "the command again once %s", nrefused, nrefused == 1 ?
		    " is" : "s are", nrefused == 1 ? "was" : "were",
		    nrefused == 1 ? "it ends" : "they end");
out:
	if (in_tx)
		db_rollback(db, &ignore);
	db_error_clear(&ignore);
	db_error_clear(&e);
	db_result_free(r);
	free(actor);
	free(array);
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
	struct db_result	*r = NULL;
	const char		*p[4], *reason = NULL, *jobid;
	char			*actor = NULL;
	json_t			*o;
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
	if (reason_check(reason) == -1)
		return EXIT_USAGE;
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	actor = actor_name();
	p[0] = jobid;
	p[1] = pause ? "true" : "false";
	p[2] = actor;
	p[3] = reason;
	if ((r = db_query(db, pause_sql, 4, p, &e)) == NULL) {
		status = cmd_db_fail(pause ? "pause" : "resume", &e);
		goto out;
	}
	changed = strcmp(db_value(r, 0, 0), "t") == 0;
	status = EXIT_OK;
	if (g->json) {
		o = json_pack("{s:s, s:b, s:b}", "jobid", jobid, "paused",
		    pause, "changed", changed);
		cmd_json_print(o);
	} else if (g->verbosity > 0)
		printf("job %s %s%s\n", jobid, changed ? "" : "was already ",
		    pause ? "paused" : (changed ? "resumed" : "active"));
out:
	db_result_free(r);
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
