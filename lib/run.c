/* run.c: the execute step of one claimed run (what runjob does between a
 * claim and its recorded end), and the pure rules of its outcome. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
/* libbsd: stravis is the same in both; keep OpenBSD's strnvis, quietly. */
#define LIBBSD_OPENBSD_VIS
#include <vis.h>

#include "claim.h"
#include "config.h"
#include "db.h"
#include "env.h"
#include "exitcodes.h"
#include "fileio.h"
#include "ids.h"
#include "metrics.h"
#include "run.h"
#include "secrets.h"
#include "settings.h"
#include "tail.h"
#include "xmalloc.h"

extern char **environ;

/* What one run holds from its start to its end. */
struct run_state {
	const struct run_ctx	*rc;
	const struct claim	*c;
	struct run_lease	 lease;
	struct run_facts	 facts;
	struct run_outcome	 out;
	struct tail		 tail;
	enum finish_result	 fr;
	bool			 want_notify;
	char			**envp, **argv;
	char			*errmsg;	/* why it could not start */
	char			*out_path, *err_path, *held;
	char			*metrics_path, *metrics, *stderr_tail;
	char			*refused, *fenced_by;
};

/* The outcome of a run that was stopped for no fault of its own. */
static void
run_classify_stopped(const struct run_facts *f, struct run_outcome *o)
{
	const struct proc_result *res = &f->res;

	o->status = "CANCELLED";
	o->stop = true;
	if (res->stopped_by_tick) {
		/* Not the job's fault: the partition stays claimable. */
		o->why = f->fenced ? RUN_WHY_FENCED : RUN_WHY_LOST;
		o->message = f->fenced ? "stopped by runjob: the lease could "
		    "not be renewed (database unreachable)" :
		    "lost its claim: lease expired";
		o->exit_status = EXIT_TEMPFAIL;
		return;
	}
	o->why = RUN_WHY_CANCELLED;
	snprintf(o->msgbuf, sizeof(o->msgbuf), "cancelled by signal %d (%s)",
	    res->cancel_signo, strsignal(res->cancel_signo));
	o->message = o->msgbuf;
	o->signo = res->signo;
	if (res->exited)
		o->exit_code = res->exit_code;
	o->exit_status = EXIT_SIGBASE + res->cancel_signo;
}

/* The outcome of a script that ran its course (or its time). */
static void
run_classify_ran(const struct run_facts *f, struct run_outcome *o)
{
	const struct proc_result *res = &f->res;

	if (res->exec_failed) {
		o->why = RUN_WHY_EXEC;
		snprintf(o->msgbuf, sizeof(o->msgbuf), "could not execute "
		    "%s: %s", f->script, strerror(res->exec_errno));
		o->status = "FAILED";
		o->message = o->msgbuf;
		o->exit_status = res->exec_errno == ENOENT ? 127 : 126;
		o->exit_code = o->exit_status;
	} else if (res->timed_out) {
		o->why = RUN_WHY_TIMEOUT;
		snprintf(o->msgbuf, sizeof(o->msgbuf), "timed out after %lds",
		    f->timeout_secs);
		o->status = "TIMEOUT";
		o->message = o->msgbuf;
		o->signo = res->signo;
		o->exit_status = EXIT_TIMEOUT;
	} else if (res->stopped_by_tick || res->cancel_signo != 0)
		run_classify_stopped(f, o);
	else if (!res->exited) {
		o->why = RUN_WHY_SIGNALED;
		o->status = "FAILED";
		o->signo = res->signo;
		o->exit_status = EXIT_SIGBASE + res->signo;
	} else {
		o->why = RUN_WHY_EXITED;
		o->status = res->exit_code == 0 ? "SUCCEEDED" : "FAILED";
		o->exit_code = res->exit_code;
		o->exit_status = res->exit_code;
	}
}

void
run_classify(const struct run_facts *f, struct run_outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->exit_code = -1;
	if (f->secrets_error != NULL) {
		/* The script cannot run without its secrets; the partition
		 * stays claimable: the run is cancelled, not failed. */
		o->why = RUN_WHY_SECRETS;
		o->status = "CANCELLED";
		o->message = f->secrets_error;
		o->exit_status = EXIT_CONFIG;
		o->stop = true;
	} else if (!f->started && f->res.guard_died) {
		/* Killed from outside, as if runjob itself had been: not
		 * the job's failure; the partition stays claimable. */
		o->why = RUN_WHY_GUARD;
		o->status = "CANCELLED";
		o->message = "the guard process that ran the script was "
		    "killed; the script died with it";
		o->exit_status = EXIT_TEMPFAIL;
		o->stop = true;
	} else if (!f->started) {
		o->why = RUN_WHY_NOSTART;
		o->status = "FAILED";
		o->message = f->start_error;
		o->exit_status = EXIT_SOFTWARE;
	} else
		run_classify_ran(f, o);
	/* A worker told to stop let this script finish: no more. */
	if ((o->held_signo = f->res.held_signo) != 0)
		o->stop = true;
}

void
run_settle(struct run_outcome *o, enum finish_result fr)
{
	if (fr == FINISH_RECORDED || o->why == RUN_WHY_SECRETS)
		return;
	/* Fenced, spooled or lost: try again later. */
	o->exit_status = EXIT_TEMPFAIL;
	o->stop = true;
}

int
run_exit_recorded(const char *status, int exit_code, int signo)
{
	if (status == NULL)
		return -1;
	if (strcmp(status, "SUCCEEDED") == 0)
		return EXIT_OK;
	if (strcmp(status, "TIMEOUT") == 0)
		return EXIT_TIMEOUT;
	if (strcmp(status, "FAILED") == 0) {
		if (exit_code >= 0)
			return exit_code;
		return signo > 0 ? EXIT_SIGBASE + signo : EXIT_SOFTWARE;
	}
	if (strcmp(status, "CANCELLED") == 0)
		return signo > 0 ? EXIT_SIGBASE + signo : EXIT_TEMPFAIL;
	if (strcmp(status, "ABANDONED") == 0)
		return EXIT_TEMPFAIL;
	return -1;
}

char *
run_job_from_script(const char *script)
{
	const char	*base = strrchr(script, '/');
	char		*id, *dot;

	id = xstrdup(base != NULL ? base + 1 : script);
	if ((dot = strrchr(id, '.')) != NULL && dot != id)
		*dot = '\0';
	return id;
}

int
run_param_add(struct cfg_kv **params, size_t *n, const char *arg,
    char **errp)
{
	const char	*eq = strchr(arg, '=');
	char		*name;

	*errp = NULL;
	if (eq == NULL) {
		*errp = xasprintf("--param \"%s\": expected NAME=VALUE", arg);
		return -1;
	}
	name = xstrndup(arg, (size_t)(eq - arg));
	/* What the host may allow is checked once its settings are read. */
	if (ident_env_fixed(name))
		*errp = xasprintf("--param \"%s\": \"%s\" is not a valid or "
		    "allowed parameter name", arg, name);
	else if (strlen(eq + 1) > CONFIG_MAXVALUE)
		*errp = xasprintf("--param %s: value longer than %d bytes",
		    name, CONFIG_MAXVALUE);
	if (*errp != NULL) {
		free(name);
		return -1;
	}
	*params = xreallocarray(*params, *n + 1, sizeof(**params));
	(*params)[*n].key = name;
	(*params)[*n].value = xstrdup(eq + 1);
	(*n)++;
	return 0;
}

char *
run_today(char *buf, size_t len)
{
	time_t		 now = time(NULL);
	struct tm	 tm;

	localtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
	return buf;
}

char *
run_params_refused(const struct cfg_kv *params, size_t n,
    const struct settings *s)
{
	const char	*why;
	size_t		 i;

	for (i = 0; i < n; i++) {
		why = ident_env_refusal(params[i].key,
		    (const char *const *)s->env_allow);
		if (why != NULL)
			return xasprintf("--param %s: the name is reserved "
			    "(%s); a host may allow it with env_allow= in %s",
			    params[i].key, why, s->path);
	}
	return NULL;
}

char *
run_claim_error(const struct db_error *e, const char *jobid,
    const struct settings *s)
{
	if (strcmp(e->sqlstate, "DF001") == 0)
		return xasprintf("unknown job \"%s\": declare it in the "
		    "configuration (dataflow apply)", jobid);
	if (strcmp(e->sqlstate, "42501") == 0)
		return xasprintf("%s: could not claim: %s (the role needs the "
		    "runner's rights: see ROLES in dataflow(1))", jobid,
		    e->message);
	if (strcmp(e->sqlstate, CLAIM_SKEW_STATE) == 0)
		return xasprintf("%s: %s", jobid, e->message);
	if (e->kind == DB_ERR_SCHEMA)
		return xasprintf("dataflow schema \"%s\" not found or "
		    "outdated (%s): run dataflow init", s->schema, e->message);
	return xasprintf("%s: could not claim: %s", jobid, e->message);
}

double
run_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

long
run_lease_retry_ms(double held_since, long lease_secs, double now)
{
	double	 fence_at = held_since + (double)lease_secs * 2 / 3;
	long	 left_ms;

	if (now >= fence_at)
		return -1;
	left_ms = (long)((fence_at - now) * 1000) + 1;
	return left_ms < RUN_RENEW_RETRY_MS ? left_ms : RUN_RENEW_RETRY_MS;
}

/*
 * Lease renewal, called by process_run every third of the lease. Each
 * attempt (reconnecting included) takes at most a third of the lease, so
 * a hung or vanished database cannot stall the wait for the script. A
 * renewal that failed is retried every RUN_RENEW_RETRY_MS (not at the
 * next third), so that the lease is renewed as soon as the database is
 * back: a restart or a failover shorter than the lease costs nothing. If
 * renewals keep failing, the run fences itself: once two thirds of the
 * lease have passed since the last renewal that worked, the script is
 * stopped (SIGTERM, then SIGKILL within a sixth of the lease), before the
 * lease can expire and another host take the partition over. Otherwise a
 * host cut off from the database would run the partition at the same time
 * as the one that reclaimed it.
 */
int
run_lease_tick(void *arg)
{
	struct run_lease *rn = arg;
	struct db_error	 e = { 0 };
	double		 sent = run_now(), budget_end;
	long		 budget_ms = rn->lease_secs * 1000 / 3, left_ms;
	int		 held = -1;

	budget_end = sent + (double)budget_ms / 1000;
	if (db_alive(rn->db) ||
	    db_reconnect_timeout(rn->db, budget_ms, &e) == 0) {
		db_error_clear(&e);
		left_ms = (long)((budget_end - run_now()) * 1000);
		held = claim_renew(rn->db, rn->run_id, rn->lease_secs,
		    left_ms > 100 ? left_ms : 100, &e);
	}
	if (held == 1) {
		if (rn->failing)
			report(rn->report, REPORT_WARN, "run %lld: lease "
			    "renewed again", rn->run_id);
		rn->failing = false;
		rn->held_since = sent;
		return 0;
	}
	if (held == 0) {
		rn->lost = true;
		return -1;
	}
	if ((left_ms = run_lease_retry_ms(rn->held_since, rn->lease_secs,
	    run_now())) == -1) {
		report(rn->report, REPORT_WARN, "run %lld: could not renew its "
		    "lease for %.1fs (%s): stopping the script before the "
		    "lease expires", rn->run_id, run_now() - rn->held_since,
		    e.message);
		rn->fenced = true;
		db_error_clear(&e);
		return -1;
	}
	/* Keep running; try again soon, and at the fence at the latest. */
	if (!rn->failing)
		report(rn->report, REPORT_WARN, "run %lld: could not renew its "
		    "lease: %s; retrying", rn->run_id, e.message);
	rn->failing = true;
	db_error_clear(&e);
	return (int)left_ms;
}

/* Say (-vv) how the dataset passwords were opened: derivations, key file. */
static void
run_passwords_said(const struct secrets *sec, size_t n,
    const struct report *r)
{
	unsigned long	 d = secrets_derivations(sec);
	unsigned long	 k = secrets_key_opened(sec);

	if (k == 0)
		report(r, REPORT_DEBUG, "%zu dataset password%s decrypted; "
		    "%lu key derivation%s in this process", n, n == 1 ? "" :
		    "s", d, d == 1 ? "" : "s");
	else
		report(r, REPORT_DEBUG, "%zu dataset password%s decrypted; "
		    "%lu key derivation%s in this process; %lu secret%s "
		    "opened with the key file %s", n, n == 1 ? "" : "s", d,
		    d == 1 ? "" : "s", k, k == 1 ? "" : "s", sec->keyfile);
}

/*
 * Decrypt the claimed datasets' passwords into a parallel array (NULL
 * entries for datasets without one), saying when verbose how many keys the
 * process has derived so far. Return NULL when there is neither passkey
 * nor key file (no <D>_password is exported then), or on failure with
 * *errp set.
 */
static char **
run_passwords(struct secrets *sec, const struct claim *c,
    const struct report *r, bool no_passkey, char **errp)
{
	char	**pw, *what;
	size_t	  i, n = 0;

	*errp = NULL;
	if (!secrets_have_key(sec)) {
		/* A script that would silently miss <D>_password: refused
		 * unless the caller said it runs without (--no-passkey). */
		for (i = 0; !no_passkey && i < c->ndatasets; i++) {
			const char *ct =
			    c->datasets[i].attrs[CFG_ATTR_ENCRYPTEDPASS];

			if (ct != NULL && *ct != '\0') {
				*errp = xasprintf("dataset %s has an encrypted "
				    "password and no passkey was given (set "
				    "PASSKEY or use --passkey-file; "
				    "--no-passkey runs without it)",
				    c->datasets[i].id);
				break;
			}
		}
		return NULL;
	}
	pw = xcalloc(c->ndatasets + 1, sizeof(*pw));
	for (i = 0; i < c->ndatasets; i++) {
		const char *ct = c->datasets[i].attrs[CFG_ATTR_ENCRYPTEDPASS];

		if (ct == NULL || *ct == '\0')
			continue;
		what = xasprintf("dataset %s", c->datasets[i].id);
		if (secrets_decrypt(sec, ct, what, &pw[i], errp) == -1) {
			free(what);
			while (i-- > 0)
				xfreezero_str(pw[i]);
			free(pw);
			return NULL;
		}
		free(what);
		n++;
	}
	if (n > 0)
		run_passwords_said(sec, n, r);
	return pw;
}

static void
run_passwords_free(char **pw, size_t n)
{
	size_t	 i;

	if (pw == NULL)
		return;
	for (i = 0; i < n; i++)
		xfreezero_str(pw[i]);
	free(pw);
}

/* Copy a file to a descriptor (the output quiet_success held back). */
static void
run_copy_file(const char *path, int to)
{
	char	 buf[8192];
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	while ((n = fileio_read_full(fd, buf, sizeof(buf))) > 0)
		if (fileio_write_all(to, buf, (size_t)n) == -1 ||
		    (size_t)n < sizeof(buf))
			break;
	close(fd);
}

/*
 * A path for a file that does not exist yet, in a new private directory
 * (0700) of its own; caller frees, and removes both with
 * run_drop_private.
 */
static char *
run_private_path(const char *name)
{
	const char	*dir = getenv("TMPDIR");
	char		*tmpl, *path;

	tmpl = xasprintf("%s/dataflow-XXXXXX",
	    dir != NULL && *dir == '/' ? dir : "/tmp");
	if (mkdtemp(tmpl) == NULL) {
		free(tmpl);
		return NULL;
	}
	path = xasprintf("%s/%s", tmpl, name);
	free(tmpl);
	return path;
}

static void
run_drop_private(const char *path)
{
	char	*dir, *slash;

	unlink(path);
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		rmdir(dir);
	}
	free(dir);
}

/* A private temporary file (0600); return its path, caller frees. */
static char *
run_temp(const char *what)
{
	const char	*dir = getenv("TMPDIR");
	char		*path;
	int		 fd;

	path = xasprintf("%s/dataflow-%s-XXXXXX",
	    dir != NULL && *dir == '/' ? dir : "/tmp", what);
	if ((fd = mkstemp(path)) == -1) {
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

char *
run_metrics_read(const char *path, const char *jobid, const struct claim *c,
    const struct report *r)
{
	struct diag	 w = { NULL, 0 };
	char		*buf, *json;
	ssize_t		 n;
	size_t		 len = 0, i;
	int		 fd;

	if (path == NULL || (fd = open(path, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1)
		return NULL;
	buf = xmalloc(METRICS_MAXFILE);
	if ((n = fileio_read_full(fd, buf, METRICS_MAXFILE)) > 0)
		len = (size_t)n;
	close(fd);
	json = metrics_parse(buf, len, &w);
	for (i = 0; i < w.n; i++)
		report(r, REPORT_WARN, "%s %s: run %lld: %s: %s", jobid,
		    c->dataid, c->run_id, "DATAFLOW_METRICS_FILE", w.msgs[i]);
	diag_clear(&w);
	free(buf);
	return json;
}

void
run_notify(const char *jobid, const struct claim *c, const struct run_end *end,
    double elapsed, const char *host, const struct report *r)
{
	static const char *const names[] = {
		"DATAFLOW_JOBID", "DATAFLOW_DATAID", "DATAFLOW_RUNID",
		"DATAFLOW_ATTEMPT", "DATAFLOW_STATUS", "DATAFLOW_EXIT_CODE",
		"DATAFLOW_SIGNAL", "DATAFLOW_MESSAGE", "DATAFLOW_OWNER",
		"DATAFLOW_HOST", "DATAFLOW_DURATION", "DATAFLOW_STDERR_TAIL",
		"jobid", "dataid"
	};
	const char		*values[sizeof(names) / sizeof(names[0])];
	char			 runid[24], attempt[16], code[16], sig[16];
	char			 dur[32], **envp, **argv, *err = NULL;
	struct proc_spec	 spec;
	struct proc_result	 res;
	size_t			 i;

	snprintf(runid, sizeof(runid), "%lld", c->run_id);
	snprintf(attempt, sizeof(attempt), "%d", c->attempt);
	snprintf(code, sizeof(code), "%d", end->exit_code);
	snprintf(sig, sizeof(sig), "%d", end->signo);
	snprintf(dur, sizeof(dur), "%.3f", elapsed);
	values[0] = jobid;
	values[1] = c->dataid;
	values[2] = runid;
	values[3] = attempt;
	values[4] = end->status;
	values[5] = end->exit_code >= 0 ? code : NULL;
	values[6] = end->signo > 0 ? sig : NULL;
	values[7] = end->message;
	values[8] = c->owner;
	values[9] = host;
	values[10] = dur;
	values[11] = end->stderr_tail;
	values[12] = jobid;
	values[13] = c->dataid;
	envp = env_with(environ, names, values, sizeof(names) /
	    sizeof(names[0]));
	argv = xcalloc(c->nnotify + 1, sizeof(*argv));
	for (i = 0; i < c->nnotify; i++)
		argv[i] = c->notify[i];

	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.envp = envp;
	spec.timeout_ms = RUN_NOTIFY_MS;
	spec.grace_ms = 5000;
	if (process_run(&spec, &res, &err) == -1) {
		report(r, REPORT_WARN, "%s %s: notify %s: %s", jobid,
		    c->dataid, argv[0], err);
		free(err);
	} else if (res.exec_failed)
		report(r, REPORT_WARN, "%s %s: notify %s: %s", jobid,
		    c->dataid, argv[0], strerror(res.exec_errno));
	else if (res.timed_out)
		report(r, REPORT_WARN, "%s %s: notify %s: still running after "
		    "%ds, stopped", jobid, c->dataid, argv[0],
		    RUN_NOTIFY_MS / 1000);
	else if (!res.exited || res.exit_code != 0)
		report(r, REPORT_WARN, "%s %s: notify %s failed (%s %d); the "
		    "run's outcome stands", jobid, c->dataid, argv[0],
		    res.exited ? "exit" : "signal", res.exited ?
		    res.exit_code : res.signo);
	free(argv);
	env_free(envp);
}

/*
 * Whoever can write the database chooses a job's notify command, so its
 * program runs only when this host's notify_allow lists it (the arguments
 * may come from the database, the program never does).
 */
char *
run_notify_refused(const struct settings *s, const char *jobid,
    const struct claim *c, const char *message, const struct report *r)
{
	const char	*prog = c->notify[0];
	char		*shown = NULL;

	if (settings_notify_allowed(s, prog))
		return NULL;
	/* The name comes from the database: nothing raw to the terminal. */
	if (stravis(&shown, prog, VIS_CSTYLE | VIS_NL | VIS_TAB |
	    VIS_OCTAL) == -1)
		shown = NULL;
	report(r, REPORT_WARN, "%s %s: notify command not run: its program "
	    "\"%s\" is not listed in notify_allow in %s", jobid, c->dataid,
	    shown != NULL ? shown : "?", s->path);
	free(shown);
	return xasprintf("%s%snotify %s not run: not listed in notify_allow",
	    message != NULL ? message : "", message != NULL ? "; " : "",
	    prog);
}

/* The path of a run's output file in the log directory, or NULL. */
static char *
run_log_path(const struct run_ctx *rc, const struct claim *c,
    const char *ext)
{
	if (rc->log_dir == NULL)
		return NULL;
	return xasprintf("%s/%s.%s.%lld.%s", rc->log_dir, rc->jobid,
	    c->dataid, c->run_id, ext);
}

/* The script's environment (it holds the passwords) and argv. */
static void
run_prepare_env(struct run_state *st, char **passwords)
{
	const struct run_ctx	*rc = st->rc;
	struct env_spec		 es;
	struct diag		 warnings = { NULL, 0 };
	size_t			 i, argc;

	st->metrics_path = run_temp("metrics");
	memset(&es, 0, sizeof(es));
	es.jobid = rc->jobid;
	es.claim = st->c;
	es.passwords = (const char *const *)passwords;
	es.metrics_file = st->metrics_path;
	es.env_allow = (const char *const *)rc->settings->env_allow;
	st->envp = env_build(environ, &es, &warnings);
	run_passwords_free(passwords, st->c->ndatasets);
	for (i = 0; i < warnings.n; i++)
		report(&rc->report, REPORT_WARN, "%s", warnings.msgs[i]);
	diag_clear(&warnings);

	/* argv: the resolved script path first, then its own arguments. */
	for (argc = 0; rc->argv[argc] != NULL; argc++)
		;
	st->argv = xcalloc(argc + 1, sizeof(*st->argv));
	st->argv[0] = (char *)(uintptr_t)rc->script;
	for (i = 1; i < argc; i++)
		st->argv[i] = rc->argv[i];
}

/* Run the script with its lease renewed, into st->facts. */
static void
run_spawn(struct run_state *st, double claimed_at)
{
	const struct run_ctx	*rc = st->rc;
	const struct settings	*s = rc->settings;
	struct proc_spec	 spec;
	struct run_facts	*f = &st->facts;

	f->timeout_secs = rc->timeout_secs > 0 ? rc->timeout_secs :
	    st->c->timeout_secs;
	f->script = rc->script;
	st->lease.db = rc->db;
	st->lease.run_id = st->c->run_id;
	st->lease.lease_secs = s->lease_secs;
	st->lease.held_since = claimed_at;	/* the claim set the first
						   lease */
	st->lease.report = &rc->report;

	st->out_path = run_log_path(rc, st->c, "out");
	st->err_path = run_log_path(rc, st->c, "err");
	/* quiet_success holds the output back (one file keeps stdout and
	 * stderr in order) and prints it only if the run fails. */
	if (rc->quiet_success && st->out_path == NULL &&
	    (st->held = run_private_path("output")) != NULL) {
		st->out_path = xstrdup(st->held);
		st->err_path = xstrdup(st->held);
	}
	tail_reset(&st->tail, rc->err_fd);
	memset(&spec, 0, sizeof(spec));
	spec.argv = st->argv;
	spec.envp = st->envp;
	spec.stdout_path = st->out_path;
	spec.stderr_path = st->err_path;
	spec.stderr_cb = tail_tee;	/* when stderr is not a file */
	spec.stderr_arg = &st->tail;
	spec.timeout_ms = f->timeout_secs * 1000;
	spec.grace_ms = RUN_GRACE_MS;
	/* Renew at a third of the lease: two renewals may fail in a row. */
	spec.tick_ms = s->lease_secs * 1000 / 3;
	/* Self-fencing stops the script with two thirds of the lease gone:
	 * the kill must land within the last third. */
	spec.tick_grace_ms = s->lease_secs * 1000 / 6;
	spec.tick = run_lease_tick;
	spec.arg = &st->lease;
	spec.hold_first_stop = rc->hold_first_stop;

	f->started = process_run(&spec, &f->res, &st->errmsg) == 0;
	f->start_error = st->errmsg;
	f->fenced = st->lease.fenced;
}

/* Say at once what went wrong before the script could run its course. */
static void
run_warn_outcome(const struct run_state *st)
{
	const struct run_ctx	*rc = st->rc;
	const struct claim	*c = st->c;

	if (st->out.why == RUN_WHY_GUARD)
		report(&rc->report, REPORT_WARN, "%s %s: run %lld: %s",
		    rc->jobid, c->dataid, c->run_id, st->out.message);
	else if (st->out.why == RUN_WHY_NOSTART)
		report(&rc->report, REPORT_WARN, "%s %s: run %lld could not "
		    "start: %s", rc->jobid, c->dataid, c->run_id,
		    st->out.message);
	else if (st->out.why == RUN_WHY_EXEC)
		report(&rc->report, REPORT_WARN, "%s %s: %s", rc->jobid,
		    c->dataid, st->out.message);
}

/* Keep the metrics, and what went wrong with a run that did not succeed;
 * decide whether the owner is told. */
static void
run_collect(struct run_state *st)
{
	const struct run_ctx	*rc = st->rc;
	const struct claim	*c = st->c;

	st->metrics = run_metrics_read(st->metrics_path, rc->jobid, c,
	    &rc->report);
	if (strcmp(st->out.status, "SUCCEEDED") != 0) {
		/* What went wrong is kept with the run. */
		if (st->err_path != NULL)
			tail_add_file(&st->tail, st->err_path);
		st->stderr_tail = tail_text(&st->tail);
		if (st->held != NULL)
			run_copy_file(st->held, rc->out_fd);
	}
	if (st->held != NULL)
		run_drop_private(st->held);
	if (st->metrics_path != NULL)
		unlink(st->metrics_path);

	/* Decided before the outcome is recorded: a refusal is part of it
	 * (a run that lost its claim records nothing, and tells no one). */
	st->want_notify = !st->lease.lost && c->nnotify > 0 &&
	    (c->notify_always || strcmp(st->out.status, "SUCCEEDED") != 0);
	if (st->want_notify && (st->refused = run_notify_refused(rc->settings,
	    rc->jobid, c, st->out.message, &rc->report)) != NULL) {
		st->out.message = st->refused;
		st->want_notify = false;
	}
}

/* The run's end as claim_finish records it. */
static void
run_end_of(const struct run_state *st, struct run_end *end)
{
	memset(end, 0, sizeof(*end));
	end->status = st->out.status;
	end->exit_code = st->out.exit_code;
	end->signo = st->out.signo;
	end->message = st->out.message;
	end->metrics_json = st->metrics;
	end->stderr_tail = st->stderr_tail;
}

/* Record the end (unless the claim was lost), and say how it went. */
static void
run_record(struct run_state *st, struct run_end *end)
{
	const struct run_ctx	*rc = st->rc;
	const struct claim	*c = st->c;
	const struct run_outcome *o = &st->out;

	run_end_of(st, end);
	if (st->lease.lost) {
		/* The fence: another run may hold the partition now. */
		report(&rc->report, REPORT_WARN, "%s %s: run %lld lost its "
		    "claim (lease expired); the script was stopped and nothing "
		    "is recorded", rc->jobid, c->dataid, c->run_id);
		st->fr = FINISH_FENCED;
	} else
		st->fr = finish_record(rc->db, rc->settings, rc->jobid, c, end,
		    &st->fenced_by, &rc->report);
	run_settle(&st->out, st->fr);
	if (st->fr == FINISH_FENCED && st->fenced_by != NULL)
		report(&rc->report, REPORT_WARN, "%s %s: run %lld was ended as "
		    "%s by another runjob meanwhile: outcome %s not recorded",
		    rc->jobid, c->dataid, c->run_id, st->fenced_by, o->status);
	else if (st->fr == FINISH_LOST)
		report(&rc->report, REPORT_WARN, "%s %s: run %lld ended %s but "
		    "could not be recorded: its lease will expire and it will "
		    "be run again", rc->jobid, c->dataid, c->run_id, o->status);
	if (st->fr != FINISH_RECORDED)
		return;		/* spooled: finish_record said so */
	if (o->exit_code >= 0 && o->signo == 0)
		report(&rc->report, REPORT_INFO, "%s %s: run %lld %s (exit %d) "
		    "in %.2fs", rc->jobid, c->dataid, c->run_id, o->status,
		    o->exit_code, st->facts.res.elapsed);
	else if (o->signo > 0)
		report(&rc->report, REPORT_INFO, "%s %s: run %lld %s (signal "
		    "%d) in %.2fs", rc->jobid, c->dataid, c->run_id, o->status,
		    o->signo, st->facts.res.elapsed);
	else
		report(&rc->report, REPORT_INFO, "%s %s: run %lld %s in %.2fs",
		    rc->jobid, c->dataid, c->run_id, o->status,
		    st->facts.res.elapsed);
}

static void
run_state_free(struct run_state *st)
{
	free(st->fenced_by);
	free(st->refused);
	free(st->errmsg);
	free(st->out_path);
	free(st->err_path);
	free(st->held);
	free(st->metrics);
	free(st->metrics_path);
	free(st->stderr_tail);
	free(st->argv);
	env_free(st->envp);
}

/* A run whose secrets did not decrypt: recorded CANCELLED, never run. */
static void
run_unstartable(struct run_state *st)
{
	const struct run_ctx	*rc = st->rc;
	struct run_end		 end;

	report(&rc->report, REPORT_WARN, "%s %s: %s", rc->jobid,
	    st->c->dataid, st->errmsg);
	st->facts.secrets_error = st->errmsg;
	run_classify(&st->facts, &st->out);
	run_end_of(st, &end);
	st->fr = finish_record(rc->db, rc->settings, rc->jobid, st->c, &end,
	    NULL, &rc->report);
	run_settle(&st->out, st->fr);
}

int
run_execute(const struct run_ctx *rc, const struct claim *c,
    double claimed_at, bool *stop)
{
	struct run_state	 st;
	struct run_end		 end;
	char			**passwords;
	int			 status;

	memset(&st, 0, sizeof(st));
	st.rc = rc;
	st.c = c;
	/* The guard is a copy of us: make it before any password is
	 * decrypted (if it fails, process_run says why). */
	(void)process_start_guard(NULL);
	passwords = run_passwords(rc->secrets, c, &rc->report,
	    rc->no_passkey, &st.errmsg);
	if (st.errmsg != NULL)
		run_unstartable(&st);
	else {
		report(&rc->report, REPORT_INFO, "%s %s: run %lld started "
		    "(attempt %d)", rc->jobid, c->dataid, c->run_id,
		    c->attempt);
		run_prepare_env(&st, passwords);
		run_spawn(&st, claimed_at);
		run_classify(&st.facts, &st.out);
		run_warn_outcome(&st);
		run_collect(&st);
		run_record(&st, &end);
		/* The owner hears of the outcome we own (not of a fenced
		 * one). */
		if ((st.fr == FINISH_RECORDED || st.fr == FINISH_SPOOLED) &&
		    st.want_notify)
			run_notify(rc->jobid, c, &end, st.facts.res.elapsed,
			    rc->host, &rc->report);
	}
	if (rc->finished != NULL)
		rc->finished(rc->finished_arg, c, &st.out);
	if (st.out.stop)
		*stop = true;
	status = st.out.exit_status;
	run_state_free(&st);
	return status;
}
