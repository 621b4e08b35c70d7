/* loop.c: runjob's claim loop: one run, a drain, or a worker that follows
 * the job (--follow), waiting for claimable work between its runs. */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "claim.h"
#include "db.h"
#include "exitcodes.h"
#include "finish.h"
#include "open.h"
#include "run.h"
#include "settings.h"
#include "worker.h"
#include "xmalloc.h"

#include "runjob.h"

/* The backoff of reconnecting: from the first to the most, doubling. */
#define LOOP_BACKOFF_FIRST_MS	500
#define LOOP_BACKOFF_MAX_MS	30000

/* The stop signal that came while a follower waited (its handler). */
static volatile sig_atomic_t	 loop_signal;

static void
loop_on_signal(int sig)
{
	if (loop_signal == 0)
		loop_signal = sig;
}

/*
 * A follower's stop signals get a handler that only notes them: they stay
 * blocked but during its waits, which they interrupt (worker_wait and
 * loop_sleep unblock them atomically). Into *waitmask: the mask of a wait.
 */
static void
loop_catch_signals(sigset_t *waitmask)
{
	struct sigaction	 sa;
	sigset_t		 stops;
	int			 sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = loop_on_signal;
	sigemptyset(&sa.sa_mask);
	stop_sigset(&stops);
	for (sig = 1; sig < NSIG; sig++) {
		if (sigismember(&stops, sig) != 1)
			continue;
		struct sigaction old;
		/* One ignored by who started us (nohup) stays ignored. */
		if (sigaction(sig, NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sig, &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, NULL, waitmask);
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(&stops, sig) == 1)
			sigdelset(waitmask, sig);
}

/* The stop signal that came, pending or caught, or 0. */
static int
loop_stop_signal(void)
{
	int	 sig;

	if ((sig = pending_stop_signal()) != 0) {
		/* Take it, so that the script of a next run is not told. */
		sigset_t	 one;
		int		 got;

		sigemptyset(&one);
		sigaddset(&one, sig);
		(void)sigwait(&one, &got);
		if (loop_signal == 0)
			loop_signal = sig;
	}
	return loop_signal;
}

/* Sleep ms, or less when a stop signal comes. */
static void
loop_sleep(long ms)
{
	struct timespec	 ts;
	sigset_t	 stops;
	siginfo_t	 si;
	int		 sig;

	stop_sigset(&stops);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	if ((sig = sigtimedwait(&stops, &si, &ts)) > 0 && loop_signal == 0)
		loop_signal = sig;
}

/* The finished hook: what the last run's end said about going on. */
static void
loop_finished(void *arg, const struct claim *c, const struct run_outcome *o)
{
	struct runjob	*rj = arg;

	(void)c;
	rj->last_held = o->held_signo != 0;
	rj->last_why = o->why;
	rj->last_from_script = o->why == RUN_WHY_EXITED &&
	    o->exit_status == o->exit_code;
}

/*
 * Re-establish a lost connection: once for a single run or a drain
 * (return -1 when it failed, *e filled); until it works or a stop signal
 * comes for a follower, with backoff (return -1 only for the signal).
 */
static int
loop_reconnect(struct runjob *rj, struct db *db, struct db_error *e)
{
	long	 backoff = LOOP_BACKOFF_FIRST_MS;

	while (db_reconnect(db, e) == -1) {
		if (!rj->o.follow)
			return -1;
		warnx("%s: could not reconnect to the dataflow database: "
		    "%s; retrying in %.1fs", rj->o.jobid, e->message,
		    (double)backoff / 1000);
		loop_sleep(backoff);
		if (loop_stop_signal() != 0)
			return -1;
		backoff = backoff * 2 > LOOP_BACKOFF_MAX_MS ?
		    LOOP_BACKOFF_MAX_MS : backoff * 2;
	}
	return 0;
}

/* Register a --drain or --follow as a worker; -1 with *e on failure. */
static int
loop_register(struct runjob *rj, struct db_error *e)
{
	struct worker_info	 wi;
	long long		 id;
	long			 beat;

	/* Seen at least this often: a follower's re-check, a run's
	 * renewals (every third of the lease), a drain's claims. */
	beat = rj->s->lease_secs / 3 + 1;
	if (rj->o.follow && rj->o.recheck_secs > beat)
		beat = rj->o.recheck_secs;
	memset(&wi, 0, sizeof(wi));
	wi.jobid = rj->o.jobid;
	wi.host = rj->host;
	wi.pid = rj->req.pid;
	wi.user = rj->user;
	wi.follow = rj->o.follow;
	wi.stream = rj->stream;
	wi.beat_secs = beat;
	wi.version = PACKAGE_VERSION;
	if ((id = worker_register(rj->db, &wi, e)) == -1)
		return -1;
	rj->req.worker_id = id;
	return 0;
}

/*
 * A claim failed with the connection: it may have committed (the answer
 * lost), leaving a run this worker holds but never started. Reconnect and
 * end it, retrying as a run's end is (finish_retry), so that its partition
 * is claimable again at once rather than after the lease. Return 0 when
 * the database is back, -1 when not (finish_retry spent, or a signal).
 */
static int
loop_release_lost(struct runjob *rj)
{
	struct db_error	 e = { 0 };
	double		 until = run_now() + (double)rj->s->finish_retry_secs;
	long		 backoff = LOOP_BACKOFF_FIRST_MS;
	int		 rc = -1, n = 0;

	while (rj->req.worker_id > 0 && loop_stop_signal() == 0) {
		if (db_reconnect(rj->db, &e) == 0 &&
		    ((n = worker_release(rj->db, rj->req.worker_id, &e)) !=
		    -1 || db_alive(rj->db))) {
			/* Refused (a schema older than the function): the
			 * lease will free what it holds. */
			if (n == 1)
				warnx("%s: a claim whose answer was lost with "
				    "the connection was released", rj->o.jobid);
			rc = 0;
			break;
		}
		if (run_now() + (double)backoff / 1000 > until)
			break;
		loop_sleep(backoff);
		backoff = backoff * 2 > LOOP_BACKOFF_MAX_MS ?
		    LOOP_BACKOFF_MAX_MS : backoff * 2;
	}
	db_error_clear(&e);
	return rc;
}

/* Say why a claim failed and return the exit status it calls for. */
static int
loop_claim_failed(struct runjob *rj, struct db_error *e)
{
	char	*errmsg;

	errmsg = run_claim_error(e, rj->o.jobid, rj->s);
	warnx("%s", errmsg);
	free(errmsg);
	return db_error_exit(e);
}

/*
 * Say why nothing was claimed and return the exit status: --idle-exit's
 * for nothing claimable, EXIT_NOTRUN for a --dataid that cannot run now
 * (a scheduler asking for it must not see success), 0 for one done.
 */
static int
loop_unclaimed(struct runjob *rj, const struct claim *c)
{
	const struct options	*o = &rj->o;
	int			 status = o->idle_exit;

	if (o->dataid != NULL && c->outcome != CLAIM_DONE &&
	    c->outcome != CLAIM_NONE && c->outcome != CLAIM_NOINPUTS)
		status = o->idle_exit_set ? o->idle_exit : EXIT_NOTRUN;
	else if (o->dataid != NULL && c->outcome == CLAIM_DONE)
		status = EXIT_OK;
	say(o, "%s%s%s: %s", o->jobid, o->dataid != NULL ? " " : "",
	    o->dataid != NULL ? o->dataid : "",
	    claim_outcome_text(c->outcome));
	say_release(status != EXIT_OK);
	return status;
}

/*
 * A script's own exit status, or with --distinct-exit 1 in place of one
 * runjob uses for itself (usage, unreachable, configuration, not run), so
 * that those mean runjob's own failure.
 */
static int
loop_exit_status(const struct runjob *rj, int rc)
{
	if (!rj->o.distinct_exit || !rj->last_from_script)
		return rc;
	switch (rc) {
	case EXIT_USAGE:
	case EXIT_NOTRUN:
	case EXIT_TEMPFAIL:
	case EXIT_CONFIG:
		return EXIT_FAIL;
	default:
		return rc;
	}
}

/* Forget the dataids that failed: a follower tries them again after a
 * re-check (their retries are the job's max_attempts). */
static void
loop_forget_failed(struct runjob *rj)
{
	size_t	 i;

	for (i = 0; i < rj->nfailed; i++)
		free(rj->failed[i]);
	rj->nfailed = 0;
}

/*
 * A follower with nothing to claim: wait for a notification of the job,
 * the re-check or a stop signal.
 */
static void
loop_wait(struct runjob *rj, struct db *ldb, struct worker_wait *w,
    struct db_error *e)
{
	enum worker_wake	 wake;

	wake = worker_wait(ldb, w, rj->o.recheck_secs * 1000, NULL, e);
	if (loop_stop_signal() != 0)
		return;
	if (wake == WORKER_RECHECK) {
		loop_forget_failed(rj);
		/* An idle worker says it lives; a pruned one registers
		 * again. */
		if (rj->req.worker_id > 0 && worker_beat(rj->db,
		    rj->req.worker_id, e) == 0)
			(void)loop_register(rj, e);
	}
	/* WORKER_FAILED: the connection is re-established before the next
	 * claim; WORKER_INTERRUPTED by another signal (SIGCHLD): claim. */
}

/* Whether a run's end stops this loop (a follower rides out what an
 * outage or a lost lease did to it). */
static bool
loop_run_stops(const struct runjob *rj, bool stop)
{
	if (!stop)
		return false;
	if (!rj->o.follow || rj->last_held)
		return true;
	/* Not for a lease lost or fenced, an end spooled, a guard killed:
	 * the worker goes on once the database is back. */
	return rj->last_why == RUN_WHY_SECRETS ||
	    rj->last_why == RUN_WHY_CANCELLED;
}

/*
 * A follower whose settings have listen_url LISTENs on a session of its
 * own there (url may lead to a transaction pooler, which would lose the
 * notifications): open it into *ldb. Return 0 (also without listen_url),
 * or the exit status, said.
 */
static int
loop_open_listen(struct runjob *rj, struct db **ldb)
{
	struct settings	*ls;
	char		*errmsg = NULL;
	int		 rc;

	*ldb = NULL;
	if ((ls = settings_for_listen(rj->s)) == NULL)
		return EXIT_OK;
	rc = open_again(&rj->oo, ls, &rj->sec, ldb, &errmsg);
	settings_free(ls);
	if (rc != EXIT_OK) {
		warnx("%s: listen_url: %s", rj->o.jobid, errmsg);
		free(errmsg);
	}
	return rc;
}

/* Claim and run until done, stopped or told to; return the exit status. */
int
claim_loop(struct runjob *rj)
{
	const struct options	*o = &rj->o;
	struct db_error		 e = { 0 };
	struct worker_wait	*w = NULL;
	struct db		*ldb = NULL;	/* listen_url's session */
	struct claim		 c;
	sigset_t		 waitmask;
	long			 runs = 0;
	int			 status = EXIT_OK, rc, sig;
	double			 claimed_at;
	bool			 stop = false;

	rj->rc.finished = loop_finished;
	rj->rc.finished_arg = rj;
	if (o->follow) {
		loop_catch_signals(&waitmask);
		rj->rc.hold_first_stop = true;
		w = worker_wait_new("work", o->jobid);
		worker_wait_sigmask(w, &waitmask);
		if ((status = loop_open_listen(rj, &ldb)) != EXIT_OK)
			goto out;
	}
	if ((o->drain || o->follow) && !o->dry_run &&
	    loop_register(rj, &e) == -1) {
		if (!o->follow || strcmp(e.sqlstate, "DF001") == 0 ||
		    db_alive(rj->db)) {
			status = loop_claim_failed(rj, &e);
			goto out;
		}
		/* Lost: registered after the reconnect below. */
	}

	while (!stop && (o->max_runs == 0 || runs < o->max_runs)) {
		if ((sig = o->follow ? loop_stop_signal() :
		    pending_stop_signal()) != 0) {
			say(o, "%s: stopped by signal %d (%s)", o->jobid, sig,
			    strsignal(sig));
			status = o->follow ? EXIT_OK : EXIT_SIGBASE + sig;
			break;
		}
		/* A connection lost at the end of the last run (or during the
		 * spool's replay) is re-established, every host tried again. */
		if (!db_alive(rj->db)) {
			if (loop_reconnect(rj, rj->db, &e) == -1) {
				if (o->follow)
					continue;	/* the signal */
				warnx("%s: could not reconnect to the dataflow "
				    "database: %s", o->jobid, e.message);
				status = runs > 0 && status != EXIT_OK ?
				    status : db_error_exit(&e);
				break;
			}
			/* What could not be recorded while it was gone. */
			if (o->follow)
				finish_replay(rj->db, rj->s, &rj->oo.report);
			if (o->follow && rj->req.worker_id == 0 &&
			    loop_register(rj, &e) == -1 && db_alive(rj->db)) {
				status = loop_claim_failed(rj, &e);
				break;
			}
		}
		/* Listen before claiming: what is announced from now on
		 * wakes the wait that follows a "nothing to claim". */
		if (ldb != NULL && !db_alive(ldb) &&
		    loop_reconnect(rj, ldb, &e) == -1)
			continue;	/* the signal */
		if (w != NULL && worker_listen(ldb != NULL ? ldb : rj->db, w,
		    &e) == -1)
			continue;
		rj->req.exclude = (const char *const *)rj->failed;
		rj->req.nexclude = rj->nfailed;
		claimed_at = run_now();
		if (claim_next(rj->db, &rj->req, &c, &e) == -1) {
			/* A drain goes on once its claim is settled. */
			if (!db_alive(rj->db) && loop_release_lost(rj) == 0 &&
			    !o->dry_run)
				continue;
			if (o->follow && !db_alive(rj->db))
				continue;
			rc = loop_claim_failed(rj, &e);
			status = runs > 0 && status != EXIT_OK ? status : rc;
			break;
		}
		if (c.outcome != CLAIM_CLAIMED) {
			if (!o->follow && runs == 0)
				status = loop_unclaimed(rj, &c);
			claim_clear(&c);
			if (!o->follow)
				break;
			/* A stop signal is seen at the top. */
			loop_wait(rj, ldb != NULL ? ldb : rj->db, w, &e);
			continue;
		}
		if (o->dry_run) {
			say(o, "%s %s: would run (attempt %d)", o->jobid,
			    c.dataid, c.attempt);
			claim_clear(&c);
			break;
		}
		stop = false;
		rc = run_execute(&rj->rc, &c, claimed_at, &stop);
		runs++;
		if (rj->runs_done != NULL)
			(void)__atomic_add_fetch(rj->runs_done, 1,
			    __ATOMIC_RELAXED);
		say_release(rc != EXIT_OK);
		rc = loop_exit_status(rj, rc);
		stop = loop_run_stops(rj, stop);
		if (rc != EXIT_OK) {
			status = rc;
			/* Do not retry it within this drain. */
			rj->failed = xreallocarray(rj->failed, rj->nfailed + 1,
			    sizeof(*rj->failed));
			rj->failed[rj->nfailed++] = xstrdup(c.dataid);
		}
		claim_clear(&c);
	}
	/* A follower stopped by a signal let its script finish: done (but
	 * a second signal cancelled it: as a single run exits then). */
	if (o->follow && (loop_signal != 0 || rj->last_held) &&
	    rj->last_why != RUN_WHY_CANCELLED)
		status = EXIT_OK;
out:
	if (rj->req.worker_id > 0 && db_alive(rj->db))
		(void)worker_stop(rj->db, rj->req.worker_id, &e);
	worker_wait_free(w);
	db_close(ldb);
	db_error_clear(&e);
	return status;
}
