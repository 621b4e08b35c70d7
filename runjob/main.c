/* runjob: claim the next ready partition of a job, run the job's script on
 * it with its datasets in the environment, and record how it ended. */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actor.h"
#include "claim.h"
#include "config.h"
#include "db.h"
#include "duration.h"
#include "exitcodes.h"
#include "finish.h"
#include "harden.h"
#include "ids.h"
#include "keyfile.h"
#include "open.h"
#include "passkey.h"
#include "process.h"
#include "report.h"
#include "run.h"
#include "secrets.h"
#include "schema.h"
#include "settings.h"
#include "strbuf.h"
#include "xmalloc.h"

#include "runjob.h"

/* The signals that stop runjob: forwarded to a running script, else
 * kept pending until the current run is recorded. */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static const char runjob_synopsis[] =
    "usage: runjob [-qv] [--job ID] [--dataid ID] [--config FILE] [--drain]\n"
    "              [--follow [--recheck DURATION]] [--streams N]\n"
    "              [--max-runs N] [--timeout DURATION] [--param NAME=VALUE]\n"
    "              [--label TEXT] [--log-dir DIR] [--quiet-success] [--dry-run]\n"
    "              [--idle-exit CODE] [--passkey-file FILE] [--export-passkey]\n"
    "              [--no-passkey] [--distinct-exit]\n"
    "              SCRIPT [ARGS...]\n";

static void __attribute__((noreturn))
usage(void)
{
	fputs(runjob_synopsis, stderr);
	exit(EXIT_USAGE);
}

/* --quiet-success: the status lines held until something fails. */
static struct strbuf	 say_held = STRBUF_INIT;

/* One status line on stderr, unless quiet; held with --quiet-success. */
void
say(const struct options *o, const char *fmt, ...)
{
	struct strbuf	 line = STRBUF_INIT;
	va_list		 ap;

	if (o->verbosity < 1)
		return;
	/* The program's name as called, as err(3) says it: one prefix. */
	strbuf_addf(&line, "%s: ", getprogname());
	va_start(ap, fmt);
	strbuf_vaddf(&line, fmt, ap);
	va_end(ap);
	strbuf_addc(&line, '\n');
	if (o->quiet_success)
		strbuf_add(&say_held, line.buf);
	else
		fputs(line.buf, stderr);
	strbuf_free(&line);
}

void
say_release(bool print)
{
	if (print && say_held.len > 0)
		fputs(say_held.buf, stderr);
	strbuf_free(&say_held);
}

static long
parse_count(const char *opt, const char *s, long min, long max)
{
	const char	*errstr;
	long long	 n;

	n = strtonum(s, min, max, &errstr);
	if (errstr != NULL) {
		warnx("%s \"%s\" is %s", opt, s, errstr);
		usage();
	}
	return (long)n;
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum {
		OPT_DRAIN = 256, OPT_MAX_RUNS, OPT_TIMEOUT, OPT_PARAM,
		OPT_LABEL, OPT_LOG_DIR, OPT_DRY_RUN, OPT_IDLE_EXIT,
		OPT_PASSKEY_FILE, OPT_EXPORT_PASSKEY, OPT_QUIET_SUCCESS,
		OPT_VERSION, OPT_FOLLOW, OPT_STREAMS, OPT_RECHECK,
		OPT_NO_PASSKEY, OPT_DISTINCT_EXIT
	};
	static const struct option longopts[] = {
		{ "job",	required_argument,	NULL, 'j' },
		{ "dataid",	required_argument,	NULL, 'd' },
		{ "config",	required_argument,	NULL, 'c' },
		{ "drain",	no_argument,		NULL, OPT_DRAIN },
		{ "follow",	no_argument,		NULL, OPT_FOLLOW },
		{ "streams",	required_argument,	NULL, OPT_STREAMS },
		{ "recheck",	required_argument,	NULL, OPT_RECHECK },
		{ "max-runs",	required_argument,	NULL, OPT_MAX_RUNS },
		{ "timeout",	required_argument,	NULL, OPT_TIMEOUT },
		{ "param",	required_argument,	NULL, OPT_PARAM },
		{ "label",	required_argument,	NULL, OPT_LABEL },
		{ "log-dir",	required_argument,	NULL, OPT_LOG_DIR },
		{ "quiet-success", no_argument,	NULL, OPT_QUIET_SUCCESS },
		{ "dry-run",	no_argument,		NULL, OPT_DRY_RUN },
		{ "idle-exit",	required_argument,	NULL, OPT_IDLE_EXIT },
		{ "passkey-file", required_argument,	NULL, OPT_PASSKEY_FILE },
		{ "export-passkey", no_argument,	NULL, OPT_EXPORT_PASSKEY },
		{ "no-passkey",	no_argument,		NULL, OPT_NO_PASSKEY },
		{ "distinct-exit", no_argument,	NULL, OPT_DISTINCT_EXIT },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, OPT_VERSION },
		{ NULL,		0,			NULL, 0 }
	};
	/* '+': options stop at the script, whose own arguments follow. */
	static const char optstring[] = "+j:d:c:qvh";
	char	*errmsg = NULL;
	int	 ch;

	o->verbosity = 1;
	/* Before getopt_long can show a passkey in a message. */
	if ((ch = passkey_refuse_argv(argc, argv, optstring, longopts)) != 0) {
		warnx("%s: %s", argv[ch], PASSKEY_NO_OPTION);
		usage();
	}
	while ((ch = getopt_long(argc, argv, optstring, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'j':
			if (!ident_valid(optarg)) {
				warnx("--job \"%s\" is not an identifier "
				    "([A-Za-z_][A-Za-z0-9_]*, at most %d "
				    "bytes)", optarg, IDENT_MAXLEN);
				usage();
			}
			o->jobid = optarg;
			break;
		case 'd':
			if (!dataid_valid(optarg)) {
				warnx("--dataid \"%s\" is not a valid dataid "
				    "(1-%d characters of A-Z a-z 0-9 "
				    "_.:+=@,-)", optarg, DATAID_MAXLEN);
				usage();
			}
			o->dataid = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case OPT_DRAIN:
			o->drain = true;
			break;
		case OPT_FOLLOW:
			o->follow = true;
			break;
		case OPT_STREAMS:
			o->streams = parse_count("--streams", optarg, 1,
			    RUNJOB_STREAMS_MAX);
			break;
		case OPT_RECHECK:
			if (duration_parse(optarg, &o->recheck_secs,
			    &errmsg) == -1 || o->recheck_secs < 1 ||
			    o->recheck_secs > RUNJOB_RECHECK_MAX) {
				warnx("--recheck: %s", errmsg != NULL ?
				    errmsg : "between 1s and 60s");
				free(errmsg);
				usage();
			}
			break;
		case OPT_MAX_RUNS:
			o->max_runs = parse_count("--max-runs", optarg, 1,
			    LONG_MAX);
			break;
		case OPT_TIMEOUT:
			if (duration_parse(optarg, &o->timeout_secs,
			    &errmsg) == -1) {
				warnx("--timeout: %s", errmsg);
				free(errmsg);
				usage();
			}
			break;
		case OPT_PARAM:
			if (run_param_add(&o->params, &o->nparams, optarg,
			    &errmsg) == -1) {
				warnx("%s", errmsg);
				free(errmsg);
				usage();
			}
			break;
		case OPT_LABEL:
			if (strlen(optarg) > CONFIG_MAXVALUE) {
				warnx("--label longer than %d bytes",
				    CONFIG_MAXVALUE);
				usage();
			}
			o->label = optarg;
			break;
		case OPT_LOG_DIR:
			o->log_dir = optarg;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_QUIET_SUCCESS:
			o->quiet_success = true;
			break;
		case OPT_IDLE_EXIT:
			o->idle_exit = (int)parse_count("--idle-exit",
			    optarg, 0, 255);
			o->idle_exit_set = true;
			break;
		case OPT_PASSKEY_FILE:
			o->passkey_file = optarg;
			break;
		case OPT_EXPORT_PASSKEY:
			o->export_passkey = true;
			break;
		case OPT_NO_PASSKEY:
			o->no_passkey = true;
			break;
		case OPT_DISTINCT_EXIT:
			o->distinct_exit = true;
			break;
		case 'q':
			o->verbosity = 0;
			break;
		case 'v':
			o->verbosity = 2;
			break;
		case 'h':
			fputs(runjob_synopsis, stdout);
			exit(EXIT_OK);
		case OPT_VERSION:
			printf("%s (dataflow) %s (schema version %d)\n",
			    getprogname(), PACKAGE_VERSION, SCHEMA_VERSION);
			exit(EXIT_OK);
		default:
			usage();
		}
	}
	if (optind >= argc) {
		warnx("no script given");
		usage();
	}
	o->argv = argv + optind;
	if ((o->drain || o->follow) && o->dataid != NULL) {
		warnx("--%s and --dataid exclude each other", o->follow ?
		    "follow" : "drain");
		usage();
	}
	if (o->follow && (o->dry_run || o->max_runs > 0)) {
		warnx("--follow and --%s exclude each other", o->dry_run ?
		    "dry-run" : "max-runs");
		usage();
	}
	if (o->streams > 0 && !o->drain && !o->follow) {
		warnx("--streams needs --drain or --follow");
		usage();
	}
	if (o->recheck_secs > 0 && !o->follow) {
		warnx("--recheck needs --follow");
		usage();
	}
	if (o->recheck_secs == 0)
		o->recheck_secs = RUNJOB_RECHECK_SECS;
	if (o->max_runs == 0 && !o->drain && !o->follow)
		o->max_runs = 1;
}

void
stop_sigset(sigset_t *set)
{
	size_t	 i;

	sigemptyset(set);
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaddset(set, stop_signals[i]);
}

int
pending_stop_signal(void)
{
	sigset_t	 set;
	size_t		 i;

	if (sigpending(&set) == -1)
		return 0;
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		if (sigismember(&set, stop_signals[i]))
			return stop_signals[i];
	return 0;
}

/* What the library says: warnings always, status lines unless quiet,
 * the file used and its unknown keys when verbose. */
void
runjob_report(void *arg, enum report_level level, const char *msg)
{
	const struct options	*o = arg;

	if (level == REPORT_INFO)
		say(o, "%s", msg);
	else if (level == REPORT_WARN || o->verbosity > 1)
		warnx("%s", msg);
}

/* The settings, for free_settings at exit. */
static struct settings	*runjob_settings;

static void
free_settings(void)
{
	settings_free(runjob_settings);
	runjob_settings = NULL;
}

/* Load properties and settings, or exit with the configuration status. */
static struct settings *
load_settings(const struct open_opts *oo)
{
	struct settings	*s;
	char		*errmsg = NULL;

	if (open_settings(oo, &s, &errmsg) != EXIT_OK)
		errx(EXIT_CONFIG, "%s", errmsg);
	/* Every exit from here on frees them (leak checkers see all). */
	runjob_settings = s;
	atexit(free_settings);
	return s;
}

/*
 * A stop signal must not kill runjob between a claim and its record: keep
 * them blocked; process_run forwards them to a running script, and
 * otherwise they wait here until the current run is recorded.
 */
static void
block_stop_signals(void)
{
	sigset_t	 stopset;

	stop_sigset(&stopset);
	sigprocmask(SIG_BLOCK, &stopset, NULL);
}

/* Whether argv is "PASSKEY SCRIPT ...": its first word runs nothing, its
 * second does. */
static bool
passkey_form(char *const *argv)
{
	char	*p = NULL;

	if (argv[1] == NULL || (p = process_which(argv[0])) != NULL) {
		free(p);
		return false;
	}
	if ((p = process_which(argv[1])) == NULL)
		return false;
	free(p);
	return true;
}

/* The job id and the script's path, or exit with a usage error. */
static void
resolve_script(struct runjob *rj)
{
	struct options	*o = &rj->o;
	char		*errmsg = NULL;

	/* OpenDataFlow's "RunJob PASSKEY SCRIPT": say how, never echo. */
	if (passkey_form(o->argv))
		errx(EXIT_USAGE, "the first argument is not a script: "
		    "\"RunJob PASSKEY SCRIPT\" is OpenDataFlow's form, which "
		    "shows the passkey to every user of the host; pass it in "
		    "the PASSKEY environment variable or with --passkey-file "
		    "FILE: RunJob [--passkey-file FILE] SCRIPT");
	if (o->jobid == NULL) {
		rj->jobid_owned = run_job_from_script(o->argv[0]);
		if (!ident_valid(rj->jobid_owned))
			errx(EXIT_USAGE, "job id \"%s\" derived from script "
			    "\"%s\" is not an identifier: use --job",
			    rj->jobid_owned, o->argv[0]);
		o->jobid = rj->jobid_owned;
	}
	/* A script we cannot run is the caller's mistake: claim nothing. */
	if ((rj->script_path = process_which(o->argv[0])) == NULL)
		errx(EXIT_USAGE, "script \"%s\": %s", o->argv[0],
		    strerror(errno));
	/* Nor with a log directory where others could plant files. */
	if (o->log_dir != NULL && process_check_log_dir(o->log_dir,
	    &errmsg) == -1)
		errx(EXIT_CONFIG, "--log-dir: %s", errmsg);
}

/* Settings, passkey and connection, or exit saying why. */
static void
open_runjob(struct runjob *rj)
{
	struct open_opts	*oo = &rj->oo;
	char			*errmsg = NULL;
	int			 rc;

	memset(oo, 0, sizeof(*oo));
	oo->config = rj->o.config;
	oo->passkey_file = rj->o.passkey_file;
	oo->passkey = OPEN_PASSKEY_KEEP;
	oo->appname = "runjob";
	oo->report.fn = runjob_report;
	oo->report.arg = &rj->o;
	rj->s = load_settings(oo);
	/* A --param the job would not get unless the host's env_allow=
	 * names it: a usage error, before any claim. */
	if ((errmsg = run_params_refused(rj->o.params, rj->o.nparams,
	    rj->s)) != NULL)
		errx(EXIT_USAGE, "%s", errmsg);
	/* Prompt only when the database password needs the passkey. */
	if ((rc = open_connect(oo, rj->s, &rj->sec, &rj->db,
	    &errmsg)) != EXIT_OK)
		errx(rc, "%s", errmsg);
	/* The job does not get the passkey unless asked for. */
	if (!rj->o.export_passkey) {
		passkey_scrub_env();
		unsetenv(PASSKEY_FILE_ENV);
		unsetenv(KEYFILE_ENV);
	}
	finish_replay(rj->db, rj->s, &oo->report);
}

/* The claim request and the run context, the same for every run. */
static void
prepare_runs(struct runjob *rj)
{
	const struct options	*o = &rj->o;
	struct claim_request	*req = &rj->req;
	struct run_ctx		*rc = &rj->rc;

	actor_host(rj->host, sizeof(rj->host));
	rj->user = actor_user();
	run_today(rj->today, sizeof(rj->today));

	memset(req, 0, sizeof(*req));
	req->jobid = o->jobid;
	req->dataid = o->dataid;
	req->today = rj->today;
	req->host = rj->host;
	req->pid = (int)getpid();
	req->user = rj->user;
	req->label = o->label;
	req->params = o->params;
	req->nparams = o->nparams;
	req->lease_secs = rj->s->lease_secs;
	req->dry_run = o->dry_run;

	memset(rc, 0, sizeof(*rc));
	rc->settings = rj->s;
	rc->db = rj->db;
	rc->secrets = &rj->sec;
	rc->jobid = o->jobid;
	rc->host = rj->host;
	rc->script = rj->script_path;
	rc->argv = o->argv;
	rc->timeout_secs = o->timeout_secs;
	rc->log_dir = o->log_dir;
	rc->quiet_success = o->quiet_success;
	rc->no_passkey = o->no_passkey;
	rc->out_fd = STDOUT_FILENO;
	rc->err_fd = STDERR_FILENO;
	rc->report.fn = runjob_report;
	rc->report.arg = &rj->o;
}

int
main(int argc, char **argv)
{
	struct runjob	 rj;
	char		*errmsg = NULL;
	size_t		 i;
	int		 status;

	/* Before anything else: a stop signal sent while we start (a
	 * supervisor stopping at once) waits for the claim loop, which
	 * sees it before claiming and exits 0, rather than killing us. */
	block_stop_signals();
	/* No core file or same-user read of what we will hold. */
	if (harden_process(&errmsg) == -1)
		errx(EXIT_SOFTWARE, "%s", errmsg);
	memset(&rj, 0, sizeof(rj));
	rj.stream = -1;
	parse_options(argc, argv, &rj.o);
	resolve_script(&rj);
	open_runjob(&rj);
	prepare_runs(&rj);
	status = rj.o.streams > 1 ? streams_run(&rj) : claim_loop(&rj);
	say_release(status != EXIT_OK);

	for (i = 0; i < rj.nfailed; i++)
		free(rj.failed[i]);
	free(rj.failed);
	db_close(rj.db);
	secrets_close(&rj.sec);
	free_settings();
	free(rj.user);
	free(rj.script_path);
	free(rj.jobid_owned);
	for (i = 0; i < rj.o.nparams; i++) {
		free(rj.o.params[i].key);
		free(rj.o.params[i].value);
	}
	free(rj.o.params);
	return status;
}
