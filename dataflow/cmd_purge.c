/* cmd_purge.c: "dataflow purge": bound the history (SPEC §10): delete
 * finished runs, audit rows and gone workers older than a cut, in batches
 * each committed on its own, so that no lock is held for long. */
#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "actor.h"
#include "dataflow.h"
#include "db.h"
#include "duration.h"
#include "exitcodes.h"
#include "progress.h"
#include "settings.h"
#include "xmalloc.h"

#define PURGE_BATCH	10000	/* runs or audit rows per transaction */
#define PURGE_BATCH_MAX	1000000

/* A cut as an absolute time: now() less a duration in seconds, or a date
 * or timestamp PostgreSQL reads (ISO 8601). */
static const char cut_ago_sql[] =
    "SELECT to_json(now() - make_interval(secs => $1::bigint)) #>> '{}'";
static const char cut_at_sql[] =
    "SELECT to_json($1::timestamptz) #>> '{}'";

/* sql/retention.sql; each call its own transaction. */
static const char runs_sql[] =
    "SELECT purged, last_run_id, done "
    "FROM df_purge_runs($1::timestamptz, $2::bigint, $3::integer, "
    "$4::boolean)";
static const char audit_sql[] =
    "SELECT df_purge_audit($1::timestamptz, $2::integer, $3::boolean)";
static const char workers_sql[] =
    "SELECT df_purge_workers($1::timestamptz, $2::boolean)";
static const char record_sql[] =
    "SELECT df_audit($1, 'purge', $2::jsonb)";

struct purge {
	const char	*before;	/* --before, or NULL */
	const char	*audit_before;	/* --audit-before, or NULL */
	long		 batch;
	bool		 dry_run;
	struct progress	*progress;	/* on a terminal, not -q */
	char		*cut;		/* resolved: runs and workers */
	char		*audit_cut;	/* resolved, or NULL: audit kept */
	long long	 runs, audit, workers;
};

/*
 * Resolve arg (a DATE|DURATION of the command line, or NULL) or else days
 * into an absolute time (caller frees) in *cut. Return 0 (*cut NULL when
 * neither is given), or an exit status.
 */
static int
purge_cut(struct db *db, const char *opt, const char *arg, long days,
    char **cut)
{
	struct db_result	*r;
	struct db_error		 e = { 0 };
	const char		*p[1];
	char			 buf[32];
	long			 secs;
	int			 status;

	*cut = NULL;
	if (arg == NULL && days == 0)
		return 0;
	if (arg == NULL || duration_check(arg, &secs) == NULL) {
		snprintf(buf, sizeof(buf), "%ld", arg == NULL ?
		    days * 86400 : secs);
		p[0] = buf;
		r = db_query(db, cut_ago_sql, 1, p, &e);
	} else {
		p[0] = arg;
		r = db_query(db, cut_at_sql, 1, p, &e);
	}
	if (r == NULL) {
		if (strncmp(e.sqlstate, "22", 2) == 0) {
			warnx("%s \"%s\" is neither a date nor a duration "
			    "(90d, 12h)", opt, arg);
			status = EXIT_USAGE;
		} else
			status = cmd_db_fail("purge", &e);
		db_error_clear(&e);
		return status;
	}
	*cut = xstrdup(db_value(r, 0, 0));
	db_result_free(r);
	return 0;
}

/* The runs, batch after batch from the oldest. Return 0 or -1 (*e). */
static int
purge_runs(struct db *db, struct purge *pu, struct db_error *e)
{
	struct db_result	*r;
	const char		*p[4];
	char			 after[32] = "0", batch[32];
	bool			 done = false;

	snprintf(batch, sizeof(batch), "%ld", pu->batch);
	p[0] = pu->cut;
	p[1] = after;
	p[2] = batch;
	p[3] = pu->dry_run ? "true" : "false";
	while (!done) {
		if ((r = db_query(db, runs_sql, 4, p, e)) == NULL)
			return -1;
		pu->runs += db_int(r, 0, 0, 0);
		done = db_value(r, 0, 1) == NULL ||
		    strcmp(db_value(r, 0, 2), "t") == 0;
		if (!done)
			strlcpy(after, db_value(r, 0, 1), sizeof(after));
		db_result_free(r);
		progress_set(pu->progress, pu->runs);
	}
	return 0;
}

/* The audit rows older than the audit cut. Return 0 or -1 (*e). */
static int
purge_audit(struct db *db, struct purge *pu, struct db_error *e)
{
	struct db_result	*r;
	const char		*p[3];
	char			 batch[32];
	long long		 n;

	if (pu->audit_cut == NULL)
		return 0;
	snprintf(batch, sizeof(batch), "%ld", pu->batch);
	p[0] = pu->audit_cut;
	p[1] = batch;
	p[2] = pu->dry_run ? "true" : "false";
	do {
		if ((r = db_query(db, audit_sql, 3, p, e)) == NULL)
			return -1;
		n = db_int(r, 0, 0, 0);
		db_result_free(r);
		pu->audit += n;
		progress_set(pu->progress, pu->runs + pu->audit);
	} while (!pu->dry_run && n >= pu->batch);
	return 0;
}

/* The workers, then (unless a dry run) the purge's own audit row. */
static int
purge_finish(struct db *db, struct purge *pu, struct db_error *e)
{
	struct db_result	*r;
	const char		*p[2];
	char			*actor, *detail;
	json_t			*o;

	p[0] = pu->cut;
	p[1] = pu->dry_run ? "true" : "false";
	if ((r = db_query(db, workers_sql, 2, p, e)) == NULL)
		return -1;
	pu->workers = db_int(r, 0, 0, 0);
	db_result_free(r);
	if (pu->dry_run)
		return 0;
	o = json_pack("{s:s, s:s?, s:I, s:I, s:I}", "before", pu->cut,
	    "audit_before", pu->audit_cut, "runs", (json_int_t)pu->runs,
	    "audit", (json_int_t)pu->audit, "workers",
	    (json_int_t)pu->workers);
	detail = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	actor = actor_name();
	p[0] = actor;
	p[1] = detail;
	r = db_query(db, record_sql, 2, p, e);
	free(actor);
	free(detail);
	if (r == NULL)
		return -1;
	db_result_free(r);
	return 0;
}

static void
purge_print(const struct global_opts *g, const struct purge *pu)
{
	json_t	*o;

	if (g->json) {
		o = json_pack("{s:b, s:s, s:s?, s:I, s:I, s:I}", "dry_run",
		    pu->dry_run, "before", pu->cut, "audit_before",
		    pu->audit_cut, "runs", (json_int_t)pu->runs, "audit",
		    (json_int_t)pu->audit, "workers",
		    (json_int_t)pu->workers);
		cmd_json_print(o);
		return;
	}
	if (g->verbosity == 0 && !pu->dry_run)
		return;
	printf("%s%lld run%s, %lld audit row%s and %lld worker%s older than "
	    "%s%s\n", pu->dry_run ? "dry run: would purge " : "purged ",
	    pu->runs, pu->runs == 1 ? "" : "s", pu->audit,
	    pu->audit == 1 ? "" : "s", pu->workers,
	    pu->workers == 1 ? "" : "s", pu->cut,
	    pu->dry_run ? "; nothing changed" : "");
	if (pu->audit_cut == NULL && g->verbosity > 0)
		printf("the audit trail is kept: --audit-before or "
		    "purge.audit_days prunes it\n");
}

/* Parse the options into pu. Return 0, or EXIT_USAGE. */
static int
purge_options(struct purge *pu, int argc, char **argv)
{
	enum { OPT_BEFORE = 256, OPT_AUDIT, OPT_DRY_RUN, OPT_BATCH };
	static const struct option longopts[] = {
		{ "before",	  required_argument,	NULL, OPT_BEFORE },
		{ "audit-before", required_argument,	NULL, OPT_AUDIT },
		{ "dry-run",	  no_argument,		NULL, OPT_DRY_RUN },
		{ "batch",	  required_argument,	NULL, OPT_BATCH },
		{ NULL,		  0,			NULL, 0 }
	};
	const char	*errstr;
	int		 ch;

	pu->batch = PURGE_BATCH;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_BEFORE:
			pu->before = optarg;
			break;
		case OPT_AUDIT:
			pu->audit_before = optarg;
			break;
		case OPT_DRY_RUN:
			pu->dry_run = true;
			break;
		case OPT_BATCH:
			pu->batch = (long)strtonum(optarg, 1, PURGE_BATCH_MAX,
			    &errstr);
			if (errstr != NULL) {
				warnx("--batch \"%s\" is %s", optarg, errstr);
				return EXIT_USAGE;
			}
			break;
		default:
			return cmd_usage(&cmd_purge_entry);
		}
	}
	if (optind != argc)
		return cmd_usage(&cmd_purge_entry);
	return 0;
}

static int
cmd_purge_exec(struct global_opts *g, int argc, char **argv)
{
	struct purge	 pu = { 0 };
	struct settings	*s = NULL;
	struct db	*db = NULL;
	struct db_error	 e = { 0 };
	int		 status;

	if ((status = purge_options(&pu, argc, argv)) != 0)
		return status;
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		goto out;
	if ((status = purge_cut(db, "--before", pu.before, s->history_days,
	    &pu.cut)) != 0 || (status = purge_cut(db, "--audit-before",
	    pu.audit_before, s->audit_days, &pu.audit_cut)) != 0)
		goto out;
	if (pu.cut == NULL) {
		warnx("name the cut: --before DATE|DURATION, or "
		    "purge.history_days in %s", s->path);
		status = EXIT_USAGE;
		goto out;
	}
	/* The count is of runs, then audit rows, batch by batch. */
	pu.progress = progress_new(STDERR_FILENO, pu.dry_run ?
	    "purge (dry run): rows" : "purge: rows", -1, g->verbosity == 0);
	if (purge_runs(db, &pu, &e) == -1 || purge_audit(db, &pu, &e) == -1 ||
	    purge_finish(db, &pu, &e) == -1) {
		progress_end(pu.progress);
		status = cmd_db_fail("purge", &e);
		goto out;
	}
	progress_end(pu.progress);
	purge_print(g, &pu);
	status = EXIT_OK;
out:
	db_error_clear(&e);
	free(pu.cut);
	free(pu.audit_cut);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_purge_entry = {
	"purge", "[--before DATE|DURATION] [--audit-before DATE|DURATION] "
	"[--dry-run] [--batch N]",
	"delete finished runs, audit rows and workers older than a cut",
	cmd_purge_exec
};
