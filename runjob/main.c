/* runjob: claim the next ready partition of a job, run the job's script on
 * it with its datasets in the environment, and record how it ended. */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
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
#include "duration.h"
#include "env.h"
#include "exitcodes.h"
#include "harden.h"
#include "ids.h"
#include "metrics.h"
#include "passkey.h"
#include "process.h"
#include "properties.h"
#include "secrets.h"
#include "settings.h"
#include "spool.h"
#include "strbuf.h"
#include "xmalloc.h"

extern char **environ;

#define RUNJOB_GRACE_MS		10000	/* SIGTERM to SIGKILL */
#define RUNJOB_RETRY_MAX	30	/* longest wait between retries, s */
#define RUNJOB_RETRY_FIRST_MS	250	/* first wait between retries */
#define RUNJOB_RENEW_RETRY_MS	1000	/* a failed renewal is retried */
#define RUNJOB_TAIL		4096	/* bytes of a failed run's stderr kept */
#define RUNJOB_NOTIFY_MS	60000	/* how long a notify command may run */

/* The signals that stop runjob: forwarded to a running script, else
 * kept pending until the current run is recorded. */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

struct options {
	const char	 *jobid;
	const char	 *dataid;
	const char	 *config;
	const char	 *label;
	const char	 *log_dir;
	const char	 *passkey_file;
	bool		  export_passkey;
	long		  timeout_secs;	/* 0: the job's own */
	long		  max_runs;	/* 0: unlimited */
	bool		  drain;
	bool		  dry_run;
	bool		  quiet_success;	/* output only when it fails */
	int		  idle_exit;
	int		  verbosity;	/* 0 quiet, 1 normal, 2 verbose */
	struct cfg_kv	 *params;
	size_t		  nparams;
	char *const	 *argv;		/* the script and its arguments */
};

/* What the lease-renewing tick needs. */
struct renewal {
	struct db	*db;
	long long	 run_id;
	long		 lease_secs;
	double		 held_since;	/* when the last renewal that worked
					   was sent: the lease runs at least
					   lease_secs from then */
	bool		 failing;	/* the last renewal did not work */
	bool		 lost;		/* the database says another holds it */
	bool		 fenced;	/* we stopped: could not renew in time */
};

static const char runjob_synopsis[] =
    "usage: runjob [-qv] [--job ID] [--dataid ID] [--config FILE] [--drain]\n"
    "              [--max-runs N] [--timeout DURATION] [--param NAME=VALUE]\n"
    "              [--label TEXT] [--log-dir DIR] [--quiet-success] [--dry-run]\n"
    "              [--idle-exit CODE] [--passkey-file FILE] [--export-passkey]\n"
    "              SCRIPT [ARGS...]\n";

static void __attribute__((noreturn))
usage(void)
{
	fputs(runjob_synopsis, stderr);
	exit(EXIT_USAGE);
}

static void
say(const struct options *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One status line on stderr, unless quiet. */
static void
say(const struct options *o, const char *fmt, ...)
{
	va_list	 ap;

	if (o->verbosity < 1)
		return;
	va_start(ap, fmt);
	fputs("runjob: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Derive the job id from the script: basename without its extension. */
static char *
job_from_script(const char *script)
{
	const char	*base = strrchr(script, '/');
	char		*id, *dot;

	id = xstrdup(base != NULL ? base + 1 : script);
	if ((dot = strrchr(id, '.')) != NULL && dot != id)
		*dot = '\0';
	return id;
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
add_param(struct options *o, const char *arg)
{
	const char	*eq = strchr(arg, '=');
	char		*name;

	if (eq == NULL) {
		warnx("--param \"%s\": expected NAME=VALUE", arg);
		usage();
	}
	name = xstrndup(arg, (size_t)(eq - arg));
	/* What the host may allow is checked once its settings are read. */
	if (ident_env_fixed(name)) {
		warnx("--param \"%s\": \"%s\" is not a valid or allowed "
		    "parameter name", arg, name);
		free(name);
		usage();
	}
	if (strlen(eq + 1) > CONFIG_MAXVALUE) {
		warnx("--param %s: value longer than %d bytes", name,
		    CONFIG_MAXVALUE);
		free(name);
		usage();
	}
	o->params = xreallocarray(o->params, o->nparams + 1,
	    sizeof(*o->params));
	o->params[o->nparams].key = name;
	o->params[o->nparams].value = xstrdup(eq + 1);
	o->nparams++;
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum {
		OPT_DRAIN = 256, OPT_MAX_RUNS, OPT_TIMEOUT, OPT_PARAM,
		OPT_LABEL, OPT_LOG_DIR, OPT_DRY_RUN, OPT_IDLE_EXIT,
		OPT_PASSKEY_FILE, OPT_EXPORT_PASSKEY, OPT_QUIET_SUCCESS,
		OPT_VERSION
	};
	static const struct option longopts[] = {
		{ "job",	required_argument,	NULL, 'j' },
		{ "dataid",	required_argument,	NULL, 'd' },
		{ "config",	required_argument,	NULL, 'c' },
		{ "drain",	no_argument,		NULL, OPT_DRAIN },
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
			add_param(o, optarg);
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
			break;
		case OPT_PASSKEY_FILE:
			o->passkey_file = optarg;
			break;
		case OPT_EXPORT_PASSKEY:
			o->export_passkey = true;
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
			printf("runjob (dataflow) %s\n", PACKAGE_VERSION);
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
	if (o->drain && o->dataid != NULL) {
		warnx("--drain and --dataid exclude each other");
		usage();
	}
	if (o->max_runs == 0 && !o->drain)
		o->max_runs = 1;
}

static double	now_secs(void);

/*
 * Lease renewal, called by process_run every third of the lease. Each
 * attempt (reconnecting included) takes at most a third of the lease, so
 * a hung or vanished database cannot stall the wait for the script. A
 * renewal that failed is retried every RUNJOB_RENEW_RETRY_MS (not at the
 * next third), so that the lease is renewed as soon as the database is
 * back: a restart or a failover shorter than the lease costs nothing. If
 * renewals keep failing, the run fences itself: once two thirds of the
 * lease have passed since the last renewal that worked, the script is
 * stopped (SIGTERM, then SIGKILL within a sixth of the lease), before the
 * lease can expire and another host take the partition over. Otherwise a
 * host cut off from the database would run the partition at the same time
 * as the one that reclaimed it.
 */
static int
renew_tick(void *arg)
{
	struct renewal	*rn = arg;
	struct db_error	 e = { 0 };
	double		 sent = now_secs(), budget_end, fence_at;
	long		 budget_ms = rn->lease_secs * 1000 / 3, left_ms;
	int		 held = -1;

	budget_end = sent + (double)budget_ms / 1000;
	if (db_alive(rn->db) ||
	    db_reconnect_timeout(rn->db, budget_ms, &e) == 0) {
		db_error_clear(&e);
		left_ms = (long)((budget_end - now_secs()) * 1000);
		held = claim_renew(rn->db, rn->run_id, rn->lease_secs,
		    left_ms > 100 ? left_ms : 100, &e);
	}
	if (held == 1) {
		if (rn->failing)
			warnx("run %lld: lease renewed again", rn->run_id);
		rn->failing = false;
		rn->held_since = sent;
		return 0;
	}
	if (held == 0) {
		rn->lost = true;
		return -1;
	}
	fence_at = rn->held_since + (double)rn->lease_secs * 2 / 3;
	if (now_secs() >= fence_at) {
		warnx("run %lld: could not renew its lease for %.1fs (%s): "
		    "stopping the script before the lease expires",
		    rn->run_id, now_secs() - rn->held_since, e.message);
		rn->fenced = true;
		db_error_clear(&e);
		return -1;
	}
	/* Keep running; try again soon, and at the fence at the latest. */
	if (!rn->failing)
		warnx("run %lld: could not renew its lease: %s; retrying",
		    rn->run_id, e.message);
	rn->failing = true;
	db_error_clear(&e);
	left_ms = (long)((fence_at - now_secs()) * 1000) + 1;
	return left_ms < RUNJOB_RENEW_RETRY_MS ? (int)left_ms :
	    RUNJOB_RENEW_RETRY_MS;
}

/* Today's date in the local time zone, for the "today" input. */
static void
today_string(char *buf, size_t len)
{
	time_t		 now = time(NULL);
	struct tm	 tm;

	localtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

static char *
current_user(void)
{
	struct passwd	*pw = getpwuid(geteuid());

	if (pw != NULL)
		return xstrdup(pw->pw_name);
	return xasprintf("%u", (unsigned)geteuid());
}

/* Open the log file paths of a run, or NULL when not logging. */
static char *
log_path(const struct options *o, const char *jobid, const struct claim *c,
    const char *ext)
{
	if (o->log_dir == NULL)
		return NULL;
	return xasprintf("%s/%s.%s.%lld.%s", o->log_dir, jobid, c->dataid,
	    c->run_id, ext);
}

/* Seconds on the monotonic clock. */
static double
now_secs(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum finish_result {
	FINISH_RECORDED,
	FINISH_FENCED,		/* someone else holds the claim now */
	FINISH_SPOOLED,		/* kept locally for a later runjob */
	FINISH_LOST		/* neither recorded nor spooled */
};

/* Sleep ms milliseconds (the stop signals are blocked: no EINTR). */
static void
sleep_ms(long ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* How long one attempt at the database may take, reconnecting included:
 * a third of the lease (a host that vanished answers nothing). */
static long
attempt_budget_ms(const struct settings *s)
{
	long	 ms = s->lease_secs * 1000 / 3;

	return ms < 1000 ? 1000 : ms;
}

/*
 * Record the end of a run, retrying with backoff while the database is
 * away (a lost connection is re-established, every host of a multi-host
 * url tried again), for up to finish_retry; then spool it locally so that
 * the next runjob on this host records it. A finished job's result is
 * never silently lost. The waits start short and stay under a sixth of the
 * lease, so that a database back within the lease hears of the run before
 * its lease can expire and another host take the partition.
 */
static enum finish_result
finish_run(struct db *db, const struct settings *s, const char *jobid,
    const struct claim *c, const struct run_end *end, char **fenced_by)
{
	struct db_error	 e = { 0 };
	double		 deadline = now_secs() + (double)s->finish_retry_secs;
	long		 delay_ms = RUNJOB_RETRY_FIRST_MS, cap_ms, left_ms;
	long		 budget_ms = attempt_budget_ms(s);
	char		*dir = NULL, *path = NULL, *dbid = NULL, *err = NULL;
	int		 rc;

	cap_ms = s->lease_secs * 1000 / 6;
	if (cap_ms > RUNJOB_RETRY_MAX * 1000L)
		cap_ms = RUNJOB_RETRY_MAX * 1000L;
	if (cap_ms < 1000)
		cap_ms = 1000;
	for (;;) {
		if (db_alive(db) ||
		    db_reconnect_timeout(db, budget_ms, &e) == 0) {
			db_error_clear(&e);
			rc = claim_finish(db, c->run_id, end, budget_ms,
			    fenced_by, &e);
			if (rc >= 0) {
				db_error_clear(&e);
				return rc == 0 ? FINISH_RECORDED :
				    FINISH_FENCED;
			}
			if (db_error_exit(&e) != EXIT_TEMPFAIL)
				break;	/* refused: retrying will not help */
		}
		if ((left_ms = (long)((deadline - now_secs()) * 1000)) <= 0)
			break;
		if (delay_ms > left_ms)
			delay_ms = left_ms;
		warnx("run %lld: could not record its end (%s); retrying in "
		    "%.2fs", c->run_id, e.message, (double)delay_ms / 1000);
		db_error_clear(&e);
		sleep_ms(delay_ms);
		delay_ms = delay_ms * 2 < cap_ms ? delay_ms * 2 : cap_ms;
	}
	warnx("run %lld: could not record its end: %s", c->run_id,
	    e.message);
	db_error_clear(&e);
	if ((dir = spool_dir()) == NULL) {
		warnx("run %lld: no spool directory (no HOME)", c->run_id);
		return FINISH_LOST;
	}
	dbid = db_identity(s);
	path = spool_write(dir, dbid, c->run_id, jobid, c->dataid, end, &err);
	free(dbid);
	free(dir);
	if (path == NULL) {
		warnx("run %lld: could not spool its outcome: %s", c->run_id,
		    err);
		free(err);
		return FINISH_LOST;
	}
	warnx("run %lld: outcome %s spooled to %s; the next runjob on this "
	    "host records it", c->run_id, end->status, path);
	free(path);
	return FINISH_SPOOLED;
}

/* Record the outcomes earlier runjobs on this host had to spool. */
static void
replay_spool(struct db *db, const struct settings *s)
{
	struct spool_entry	*entries;
	struct run_end		 end;
	struct db_error		 e = { 0 };
	char			*dir, *dbid, *err = NULL, *fenced_by = NULL;
	size_t			 i, n;
	int			 rc;

	if ((dir = spool_dir()) == NULL)
		return;
	dbid = db_identity(s);
	if (spool_list(dir, dbid, &entries, &n, &err) == -1) {
		warnx("%s", err);
		free(err);
	}
	for (i = 0; i < n; i++) {
		if (entries[i].stale) {
			warnx("%s: run %lld of %s %s, outcome %s, was spooled "
			    "by an older runjob with the database password in "
			    "it: no runjob can replay it; removed (the "
			    "partition runs again once its lease expired)",
			    entries[i].path, entries[i].run_id,
			    entries[i].jobid, entries[i].dataid,
			    entries[i].status);
			unlink(entries[i].path);
			continue;
		}
		spool_run_end(&entries[i], &end);
		rc = claim_finish(db, entries[i].run_id, &end,
		    attempt_budget_ms(s), &fenced_by, &e);
		if (rc == -1) {
			warnx("run %lld: spooled outcome not recorded yet: %s",
			    entries[i].run_id, e.message);
			db_error_clear(&e);
			/* Lost: the claim reconnects, or says why not. */
			if (!db_alive(db))
				break;
			continue;
		}
		if (rc == 0)
			warnx("%s %s: run %lld: recorded its spooled outcome "
			    "%s", entries[i].jobid, entries[i].dataid,
			    entries[i].run_id, entries[i].status);
		else
			warnx("%s %s: run %lld: spooled outcome %s discarded: "
			    "the run is %s now", entries[i].jobid,
			    entries[i].dataid, entries[i].run_id,
			    entries[i].status, fenced_by);
		free(fenced_by);
		fenced_by = NULL;
		unlink(entries[i].path);
	}
	spool_free(entries, n);
	free(dbid);
	free(dir);
}

/* Return a stop signal waiting to be handled, or 0. */
static int
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

/*
 * Decrypt the claimed datasets' passwords into a parallel array (NULL
 * entries for datasets without one). Return NULL when there is no passkey
 * (no <D>_password is exported then), or on failure with *errp set.
 */
static char **
dataset_passwords(struct secrets *sec, const struct claim *c, char **errp)
{
	char	**pw, *what;
	size_t	  i;

	*errp = NULL;
	if (sec->keyring == NULL)
		return NULL;
	pw = xcalloc(c->ndatasets + 1, sizeof(*pw));
	for (i = 0; i < c->ndatasets; i++) {
		const char *ct = c->datasets[i].attrs[5];	/* encryptedpass */

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
	}
	return pw;
}

static void
passwords_free(char **pw, size_t n)
{
	size_t	 i;

	if (pw == NULL)
		return;
	for (i = 0; i < n; i++)
		xfreezero_str(pw[i]);
	free(pw);
}

/* The last RUNJOB_TAIL bytes of what the script wrote to stderr. */
struct tail {
	char	 buf[RUNJOB_TAIL];
	size_t	 len;
};

static void
tail_add(struct tail *t, const char *p, size_t n)
{
	if (n >= sizeof(t->buf)) {
		memcpy(t->buf, p + n - sizeof(t->buf), sizeof(t->buf));
		t->len = sizeof(t->buf);
		return;
	}
	if (t->len + n > sizeof(t->buf)) {
		size_t drop = t->len + n - sizeof(t->buf);

		memmove(t->buf, t->buf + drop, t->len - drop);
		t->len -= drop;
	}
	memcpy(t->buf + t->len, p, n);
	t->len += n;
}

/* process_run's stderr callback: pass it on and keep the tail. */
static void
tee_stderr(void *arg, const char *p, size_t n)
{
	struct tail	*t = arg;
	size_t		 off = 0;
	ssize_t		 w;

	tail_add(t, p, n);
	while (off < n) {
		if ((w = write(STDERR_FILENO, p + off, n - off)) == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		off += (size_t)w;
	}
}

/* Keep the tail of a file (a log the script wrote). */
static void
tail_of_file(struct tail *t, const char *path)
{
	char	 buf[RUNJOB_TAIL];
	off_t	 size;
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	size = lseek(fd, 0, SEEK_END);
	if (size > (off_t)sizeof(buf))
		lseek(fd, size - (off_t)sizeof(buf), SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		tail_add(t, buf, (size_t)n);
	close(fd);
}

/* Copy a file to a descriptor (the output --quiet-success held back). */
static void
copy_file(const char *path, int to)
{
	char	 buf[8192];
	ssize_t	 n, w, off;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n; off += w)
			if ((w = write(to, buf + off, (size_t)(n - off))) <= 0)
				goto out;
	}
out:
	close(fd);
}

/* Return the text of the tail, valid UTF-8 or not (the database column is
 * text: invalid bytes are replaced), caller frees; NULL when empty. */
static char *
tail_text(const struct tail *t)
{
	char	*s;
	size_t	 i;

	if (t->len == 0)
		return NULL;
	s = xstrndup(t->buf, t->len);
	for (i = 0; i < t->len; i++)
		if (s[i] == '\0' || (unsigned char)s[i] >= 0x80)
			s[i] = '?';
	return s;
}

/*
 * A path for a file that does not exist yet, in a new private directory
 * (0700) of its own; caller frees, and removes both with drop_private.
 */
static char *
make_private_path(const char *name)
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
drop_private(const char *path)
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
make_temp(const char *what)
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

/* Read and parse the metrics the script wrote; NULL when none. */
static char *
read_metrics(const char *path, const char *jobid, const struct claim *c)
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
	while (len < METRICS_MAXFILE &&
	    (n = read(fd, buf + len, METRICS_MAXFILE - len)) > 0)
		len += (size_t)n;
	close(fd);
	json = metrics_parse(buf, len, &w);
	for (i = 0; i < w.n; i++)
		warnx("%s %s: run %lld: %s: %s", jobid, c->dataid, c->run_id,
		    "DATAFLOW_METRICS_FILE", w.msgs[i]);
	diag_clear(&w);
	free(buf);
	return json;
}

/*
 * Tell the job's owner: run its notify command (no shell) with the run
 * described in the environment. Whatever becomes of it, the run's outcome
 * stands; a failure is only reported.
 */
static void
notify(const char *jobid, const struct claim *c, const struct run_end *end,
    double elapsed, const char *host)
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
	spec.timeout_ms = RUNJOB_NOTIFY_MS;
	spec.grace_ms = 5000;
	if (process_run(&spec, &res, &err) == -1) {
		warnx("%s %s: notify %s: %s", jobid, c->dataid, argv[0], err);
		free(err);
	} else if (res.exec_failed)
		warnx("%s %s: notify %s: %s", jobid, c->dataid, argv[0],
		    strerror(res.exec_errno));
	else if (res.timed_out)
		warnx("%s %s: notify %s: still running after %ds, stopped",
		    jobid, c->dataid, argv[0], RUNJOB_NOTIFY_MS / 1000);
	else if (!res.exited || res.exit_code != 0)
		warnx("%s %s: notify %s failed (%s %d); the run's outcome "
		    "stands", jobid, c->dataid, argv[0], res.exited ?
		    "exit" : "signal", res.exited ? res.exit_code : res.signo);
	free(argv);
	env_free(envp);
}

/*
 * Whoever can write the database chooses a job's notify command, so its
 * program runs only when this host's notify_allow lists it (the arguments
 * may come from the database, the program never does). Return NULL when
 * the command may run; else say so once on stderr and return the run's
 * message with the refusal appended (caller frees).
 */
static char *
notify_refused(const struct settings *s, const char *jobid,
    const struct claim *c, const char *message)
{
	const char	*prog = c->notify[0];
	char		*shown = NULL;

	if (settings_notify_allowed(s, prog))
		return NULL;
	/* The name comes from the database: nothing raw to the terminal. */
	if (stravis(&shown, prog, VIS_CSTYLE | VIS_NL | VIS_TAB |
	    VIS_OCTAL) == -1)
		shown = NULL;
	warnx("%s %s: notify command not run: its program \"%s\" is not "
	    "listed in notify_allow in %s", jobid, c->dataid,
	    shown != NULL ? shown : "?", s->path);
	free(shown);
	return xasprintf("%s%snotify %s not run: not listed in notify_allow",
	    message != NULL ? message : "", message != NULL ? "; " : "",
	    prog);
}

static int
run_one(const struct options *o, const struct settings *s, struct db *db,
    struct secrets *sec, const char *jobid, const char *host,
    const struct claim *c, double claimed_at, const char *script_path,
    bool *stop)
{
	struct proc_spec	 spec;
	struct proc_result	 res;
	struct renewal		 rn;
	struct env_spec		 es;
	struct run_end		 end;
	struct diag		 warnings = { NULL, 0 };
	char			**envp, **argv = NULL, *errmsg = NULL;
	char			**passwords;
	char			*out_path, *err_path, *fenced_by = NULL;
	char			*metrics_path, *metrics = NULL, *held = NULL;
	char			*stderr_tail = NULL, *refused = NULL;
	struct tail		 tail;
	char			 msgbuf[256];
	size_t			 i, argc;
	long			 timeout;
	int			 status;
	bool			 want_notify, started;
	enum finish_result	 rc;

	/* The guard is a copy of us: make it before any password is
	 * decrypted (if it fails, process_run says why). */
	(void)process_start_guard(NULL);
	passwords = dataset_passwords(sec, c, &errmsg);
	if (errmsg != NULL) {
		/* The script cannot run without its secrets; the partition
		 * stays claimable: the run is cancelled, not failed. */
		warnx("%s %s: %s", jobid, c->dataid, errmsg);
		memset(&end, 0, sizeof(end));
		end.status = "CANCELLED";
		end.exit_code = -1;
		end.message = errmsg;
		finish_run(db, s, jobid, c, &end, NULL);
		free(errmsg);
		*stop = true;
		return EXIT_CONFIG;
	}
	say(o, "%s %s: run %lld started (attempt %d)", jobid, c->dataid,
	    c->run_id, c->attempt);

	metrics_path = make_temp("metrics");
	memset(&es, 0, sizeof(es));
	es.jobid = jobid;
	es.claim = c;
	es.passwords = (const char *const *)passwords;
	es.metrics_file = metrics_path;
	es.env_allow = (const char *const *)s->env_allow;
	envp = env_build(environ, &es, &warnings);
	passwords_free(passwords, c->ndatasets);
	for (i = 0; i < warnings.n; i++)
		warnx("%s", warnings.msgs[i]);
	diag_clear(&warnings);

	/* argv: the resolved script path first, then its own arguments. */
	for (argc = 0; o->argv[argc] != NULL; argc++)
		;
	argv = xcalloc(argc + 1, sizeof(*argv));
	argv[0] = (char *)(uintptr_t)script_path;
	for (i = 1; i < argc; i++)
		argv[i] = o->argv[i];

	timeout = o->timeout_secs > 0 ? o->timeout_secs : c->timeout_secs;
	rn.db = db;
	rn.run_id = c->run_id;
	rn.lease_secs = s->lease_secs;
	rn.held_since = claimed_at;	/* the claim set the first lease */
	rn.lost = rn.fenced = rn.failing = false;

	out_path = log_path(o, jobid, c, "out");
	err_path = log_path(o, jobid, c, "err");
	/* --quiet-success holds the output back (one file keeps stdout and
	 * stderr in order) and prints it only if the run fails. */
	if (o->quiet_success && out_path == NULL &&
	    (held = make_private_path("output")) != NULL) {
		out_path = xstrdup(held);
		err_path = xstrdup(held);
	}
	memset(&tail, 0, sizeof(tail));
	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.envp = envp;
	spec.stdout_path = out_path;
	spec.stderr_path = err_path;
	spec.stderr_cb = tee_stderr;	/* when stderr is not a file */
	spec.stderr_arg = &tail;
	spec.timeout_ms = timeout * 1000;
	spec.grace_ms = RUNJOB_GRACE_MS;
	/* Renew at a third of the lease: two renewals may fail in a row. */
	spec.tick_ms = s->lease_secs * 1000 / 3;
	/* Self-fencing stops the script with two thirds of the lease gone:
	 * the kill must land within the last third. */
	spec.tick_grace_ms = s->lease_secs * 1000 / 6;
	spec.tick = renew_tick;
	spec.arg = &rn;

	memset(&res, 0, sizeof(res));
	memset(&end, 0, sizeof(end));
	end.exit_code = -1;
	started = process_run(&spec, &res, &errmsg) == 0;
	if (!started && res.guard_died) {
		/* Killed from outside, as if runjob itself had been: not
		 * the job's failure; the partition stays claimable. */
		end.status = "CANCELLED";
		end.message = "the guard process that ran the script was "
		    "killed; the script died with it";
		status = EXIT_TEMPFAIL;
		*stop = true;
		warnx("%s %s: run %lld: %s", jobid, c->dataid, c->run_id,
		    end.message);
	} else if (!started) {
		end.status = "FAILED";
		end.message = errmsg;
		status = EXIT_SOFTWARE;
		warnx("%s %s: run %lld could not start: %s", jobid,
		    c->dataid, c->run_id, errmsg);
	} else if (res.exec_failed) {
		snprintf(msgbuf, sizeof(msgbuf), "could not execute %s: %s",
		    script_path, strerror(res.exec_errno));
		end.status = "FAILED";
		end.message = msgbuf;
		status = res.exec_errno == ENOENT ? 127 : 126;
		end.exit_code = status;
		warnx("%s %s: %s", jobid, c->dataid, msgbuf);
	} else if (res.timed_out) {
		snprintf(msgbuf, sizeof(msgbuf), "timed out after %lds",
		    timeout);
		end.status = "TIMEOUT";
		end.message = msgbuf;
		end.signo = res.signo;
		status = EXIT_TIMEOUT;
	} else if (res.stopped_by_tick) {
		/* Not the job's fault: the partition stays claimable. */
		end.status = "CANCELLED";
		end.message = rn.fenced ? "stopped by runjob: the lease could "
		    "not be renewed (database unreachable)" :
		    "lost its claim: lease expired";
		status = EXIT_TEMPFAIL;
		*stop = true;
	} else if (res.cancel_signo != 0) {
		snprintf(msgbuf, sizeof(msgbuf), "cancelled by signal %d "
		    "(%s)", res.cancel_signo, strsignal(res.cancel_signo));
		end.status = "CANCELLED";
		end.message = msgbuf;
		end.signo = res.signo;
		if (res.exited)
			end.exit_code = res.exit_code;
		status = EXIT_SIGBASE + res.cancel_signo;
		*stop = true;
	} else if (!res.exited) {
		end.status = "FAILED";
		end.signo = res.signo;
		status = EXIT_SIGBASE + res.signo;
	} else {
		end.status = res.exit_code == 0 ? "SUCCEEDED" : "FAILED";
		end.exit_code = res.exit_code;
		status = res.exit_code;
	}

	metrics = read_metrics(metrics_path, jobid, c);
	end.metrics_json = metrics;
	if (strcmp(end.status, "SUCCEEDED") != 0) {
		/* What went wrong is kept with the run. */
		if (err_path != NULL)
			tail_of_file(&tail, err_path);
		end.stderr_tail = stderr_tail = tail_text(&tail);
		if (held != NULL)
			copy_file(held, STDOUT_FILENO);
	}
	if (held != NULL)
		drop_private(held);
	if (metrics_path != NULL)
		unlink(metrics_path);

	/* Decided before the outcome is recorded: a refusal is part of it
	 * (a run that lost its claim records nothing, and tells no one). */
	want_notify = !rn.lost && c->nnotify > 0 &&
	    (c->notify_always || strcmp(end.status, "SUCCEEDED") != 0);
	if (want_notify && (refused = notify_refused(s, jobid, c,
	    end.message)) != NULL) {
		end.message = refused;
		want_notify = false;
	}

	if (rn.lost) {
		/* The fence: another run may hold the partition now. */
		warnx("%s %s: run %lld lost its claim (lease expired); the "
		    "script was stopped and nothing is recorded", jobid,
		    c->dataid, c->run_id);
		rc = FINISH_FENCED;
	} else
		rc = finish_run(db, s, jobid, c, &end, &fenced_by);
	if (rc == FINISH_FENCED) {
		if (fenced_by != NULL)
			warnx("%s %s: run %lld was ended as %s by another "
			    "runjob meanwhile: outcome %s not recorded",
			    jobid, c->dataid, c->run_id, fenced_by,
			    end.status);
		status = EXIT_TEMPFAIL;
		*stop = true;
	} else if (rc == FINISH_SPOOLED || rc == FINISH_LOST) {
		if (rc == FINISH_LOST)
			warnx("%s %s: run %lld ended %s but could not be "
			    "recorded: its lease will expire and it will be "
			    "run again", jobid, c->dataid, c->run_id,
			    end.status);
		status = EXIT_TEMPFAIL;
		*stop = true;
	} else if (end.exit_code >= 0 && end.signo == 0)
		say(o, "%s %s: run %lld %s (exit %d) in %.2fs", jobid,
		    c->dataid, c->run_id, end.status, end.exit_code,
		    res.elapsed);
	else if (end.signo > 0)
		say(o, "%s %s: run %lld %s (signal %d) in %.2fs", jobid,
		    c->dataid, c->run_id, end.status, end.signo,
		    res.elapsed);
	else
		say(o, "%s %s: run %lld %s in %.2fs", jobid, c->dataid,
		    c->run_id, end.status, res.elapsed);
	/* The owner hears of the outcome we own (not of a fenced one). */
	if ((rc == FINISH_RECORDED || rc == FINISH_SPOOLED) && want_notify)
		notify(jobid, c, &end, res.elapsed, host);

	free(fenced_by);
	free(refused);
	free(errmsg);
	free(out_path);
	free(err_path);
	free(held);
	free(metrics);
	free(metrics_path);
	free(stderr_tail);
	free(argv);
	env_free(envp);
	return status;
}

/*
 * Refuse a --param whose name the job would not get (ident_env_refusal)
 * unless the host's env_allow= names it: a usage error, before any claim.
 */
static void
check_params(const struct options *o, const struct settings *s)
{
	const char	*why;
	size_t		 i;

	for (i = 0; i < o->nparams; i++) {
		why = ident_env_refusal(o->params[i].key,
		    (const char *const *)s->env_allow);
		if (why == NULL)
			continue;
		warnx("--param %s: the name is reserved (%s); a host may "
		    "allow it with env_allow= in %s", o->params[i].key, why,
		    s->path);
		exit(EXIT_USAGE);
	}
}

/* The settings, for free_settings at exit. */
static struct settings	*runjob_settings;

static void
free_settings(void)
{
	settings_free(runjob_settings);
	runjob_settings = NULL;
}

/* Say msg (and free it), then exit with the configuration status. */
static void __attribute__((noreturn))
config_exit(char *msg)
{
	warnx("%s", msg);
	free(msg);
	exit(EXIT_CONFIG);
}

/* Load properties and settings, or exit with the configuration status. */
static struct settings *
load_settings(const struct options *o)
{
	struct properties	*props;
	struct settings		*s;
	char			*path, *errmsg = NULL;
	size_t			 i;

	if ((path = properties_find(o->config, &errmsg)) == NULL)
		config_exit(errmsg);
	props = properties_load(path, &errmsg);
	free(path);
	if (props == NULL)
		config_exit(errmsg);
	/* A file others can read the password in: say so. */
	if ((errmsg = properties_check_mode(props)) != NULL) {
		warnx("%s", errmsg);
		free(errmsg);
		errmsg = NULL;
	}
	s = settings_from_properties(props, &errmsg);
	properties_free(props);
	if (s == NULL)
		config_exit(errmsg);
	/* Every exit from here on frees them (leak checkers see all). */
	runjob_settings = s;
	atexit(free_settings);
	if (o->verbosity > 1) {
		warnx("using %s", s->path);
		for (i = 0; i < s->nunknown; i++)
			warnx("%s: ignoring unknown key \"%s\"", s->path,
			    s->unknown[i]);
	}
	return s;
}

int
main(int argc, char **argv)
{
	struct options		 o;
	struct settings		*s;
	struct db		*db;
	struct db_error		 e = { 0 };
	struct claim_request	 req;
	struct claim		 c;
	struct secrets		 sec;
	sigset_t		 stopset;
	char			*jobid_owned = NULL, *script_path, *user;
	char			*password = NULL, *errmsg = NULL;
	char			 host[256], today[16];
	char			**failed = NULL;
	size_t			 nfailed = 0, i;
	long			 runs = 0;
	int			 status = EXIT_OK, rc, sig;
	double			 claimed_at;
	bool			 stop = false;

	/* First: no core file or same-user read of what we will hold. */
	if (harden_process(&errmsg) == -1)
		errx(EXIT_SOFTWARE, "%s", errmsg);
	memset(&o, 0, sizeof(o));
	parse_options(argc, argv, &o);
	/*
	 * A stop signal must not kill runjob between a claim and its record:
	 * keep them blocked; process_run forwards them to a running script,
	 * and otherwise they wait here until the current run is recorded.
	 */
	sigemptyset(&stopset);
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaddset(&stopset, stop_signals[i]);
	sigprocmask(SIG_BLOCK, &stopset, NULL);
	if (o.jobid == NULL) {
		jobid_owned = job_from_script(o.argv[0]);
		if (!ident_valid(jobid_owned))
			errx(EXIT_USAGE, "job id \"%s\" derived from script "
			    "\"%s\" is not an identifier: use --job",
			    jobid_owned, o.argv[0]);
		o.jobid = jobid_owned;
	}
	/* A script we cannot run is the caller's mistake: claim nothing. */
	if ((script_path = process_which(o.argv[0])) == NULL)
		errx(EXIT_USAGE, "script \"%s\": %s", o.argv[0],
		    strerror(errno));
	/* Nor with a log directory where others could plant files. */
	if (o.log_dir != NULL && process_check_log_dir(o.log_dir, &errmsg) ==
	    -1)
		errx(EXIT_CONFIG, "--log-dir: %s", errmsg);

	s = load_settings(&o);
	check_params(&o, s);
	/* Prompt only when the database password needs the passkey. */
	if (secrets_open(&sec, o.passkey_file, s->encrypted != NULL,
	    &errmsg) == -1 ||
	    secrets_db_password(&sec, s, &password, &errmsg) == -1)
		errx(EXIT_CONFIG, "%s", errmsg);
	/* The job does not get the passkey unless asked for. */
	if (!o.export_passkey) {
		passkey_scrub_env();
		unsetenv(PASSKEY_FILE_ENV);
	}
	db = db_connect(s, password, "runjob", 0, &e);
	xfreezero_str(password);
	if (db == NULL)
		errx(db_error_exit(&e), "could not connect to the dataflow "
		    "database: %s", e.message);
	replay_spool(db, s);

	if (gethostname(host, sizeof(host)) == -1)
		strlcpy(host, "unknown", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	user = current_user();
	today_string(today, sizeof(today));

	memset(&req, 0, sizeof(req));
	req.jobid = o.jobid;
	req.dataid = o.dataid;
	req.today = today;
	req.host = host;
	req.pid = (int)getpid();
	req.user = user;
	req.label = o.label;
	req.params = o.params;
	req.nparams = o.nparams;
	req.lease_secs = s->lease_secs;
	req.dry_run = o.dry_run;

	while (!stop && (o.max_runs == 0 || runs < o.max_runs)) {
		if ((sig = pending_stop_signal()) != 0) {
			say(&o, "%s: stopped by signal %d (%s)", o.jobid, sig,
			    strsignal(sig));
			status = EXIT_SIGBASE + sig;
			break;
		}
		/* A connection lost at the end of the last run (or during the
		 * spool's replay) is re-established, every host tried again. */
		if (!db_alive(db) && db_reconnect(db, &e) == -1) {
			warnx("%s: could not reconnect to the dataflow "
			    "database: %s", o.jobid, e.message);
			status = runs > 0 && status != EXIT_OK ? status :
			    db_error_exit(&e);
			break;
		}
		req.exclude = (const char *const *)failed;
		req.nexclude = nfailed;
		claimed_at = now_secs();
		if (claim_next(db, &req, &c, &e) == -1) {
			rc = db_error_exit(&e);
			if (strcmp(e.sqlstate, "DF001") == 0)
				warnx("unknown job \"%s\": declare it in the "
				    "configuration (dataflow apply)",
				    o.jobid);
			else if (strcmp(e.sqlstate, "42501") == 0)
				warnx("%s: could not claim: %s (the role needs "
				    "the runner's rights: see ROLES in "
				    "dataflow(1))", o.jobid, e.message);
			else if (e.kind == DB_ERR_SCHEMA)
				warnx("dataflow schema \"%s\" not found or "
				    "outdated (%s): run dataflow init",
				    s->schema, e.message);
			else
				warnx("%s: could not claim: %s", o.jobid,
				    e.message);
			status = runs > 0 && status != EXIT_OK ? status : rc;
			break;
		}
		if (c.outcome != CLAIM_CLAIMED) {
			if (runs == 0) {
				say(&o, "%s%s%s: %s", o.jobid,
				    o.dataid != NULL ? " " : "",
				    o.dataid != NULL ? o.dataid : "",
				    claim_outcome_text(c.outcome));
				status = o.idle_exit;
			}
			claim_clear(&c);
			break;
		}
		if (o.dry_run) {
			say(&o, "%s %s: would run (attempt %d)", o.jobid,
			    c.dataid, c.attempt);
			claim_clear(&c);
			break;
		}
		rc = run_one(&o, s, db, &sec, o.jobid, host, &c, claimed_at,
		    script_path, &stop);
		runs++;
		if (rc != EXIT_OK) {
			status = rc;
			/* Do not retry it within this drain. */
			failed = xreallocarray(failed, nfailed + 1,
			    sizeof(*failed));
			failed[nfailed++] = xstrdup(c.dataid);
		}
		claim_clear(&c);
	}

	for (i = 0; i < nfailed; i++)
		free(failed[i]);
	free(failed);
	db_error_clear(&e);
	db_close(db);
	secrets_close(&sec);
	free_settings();
	free(user);
	free(script_path);
	free(jobid_owned);
	for (i = 0; i < o.nparams; i++) {
		free(o.params[i].key);
		free(o.params[i].value);
	}
	free(o.params);
	return status;
}
