/* streams.c: runjob --streams N: N workers of one job from one command,
 * each a process of its own with its own connection (the guarantees of N
 * separate commands), under a supervisor that restarts a stream that died
 * and stops them all on a stop signal. */
#include <sys/mman.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "exitcodes.h"
#include "open.h"
#include "process.h"
#include "progress.h"
#include "xmalloc.h"

#include "runjob.h"

struct stream {
	pid_t	 pid;		/* running, or 0 */
	bool	 done;		/* ended for good */
	long	 backoff_ms;	/* before its last or next start */
	double	 started_at;	/* run_now() of its last start */
	double	 restart_at;	/* run_now() of its next start; 0: none */
};

/*
 * In the child: its own connection, then the loop; never returns. A
 * stream whose supervisor is killed (SIGKILL, the OOM killer) is stopped
 * as the supervisor would have: SIGTERM, left pending (the stop signals
 * are blocked) until its run is recorded, then exit 0.
 */
static void __attribute__((noreturn))
streams_child(struct runjob *rj, int stream, pid_t supervisor)
{
	sigset_t	 chld;
	char		*errmsg = NULL;
	int		 rc;

	if (process_follow_parent(supervisor, SIGTERM) == -1)
		exit(EXIT_OK);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_UNBLOCK, &chld, NULL);
	rj->stream = stream;
	rj->req.pid = (int)getpid();
	if ((rc = open_again(&rj->oo, rj->s, &rj->sec, &rj->db,
	    &errmsg)) != EXIT_OK) {
		/* A follower waits for the database as it would later. */
		warnx("stream %d: %s", stream, errmsg);
		exit(rc);
	}
	rj->rc.db = rj->db;
	rc = claim_loop(rj);
	say_release(rc != EXIT_OK);
	db_close(rj->db);
	secrets_close(&rj->sec);
	exit(rc);
}

/* Start stream i (0-based); return 0, or -1 when fork failed. */
static int
streams_start(struct runjob *rj, struct stream *st, int i)
{
	pid_t	 pid, self = getpid();

	if ((pid = fork()) == -1) {
		warn("stream %d: fork", i + 1);
		return -1;
	}
	if (pid == 0)
		streams_child(rj, i + 1, self);
	st[i].pid = pid;
	st[i].started_at = run_now();
	st[i].restart_at = 0;
	return 0;
}

/* Pass a stop signal on to every running stream. */
static void
streams_signal(struct stream *st, long n, int sig)
{
	long	 i;

	for (i = 0; i < n; i++)
		if (st[i].pid > 0)
			(void)kill(st[i].pid, sig);
}

/*
 * A stream ended with wait status ws. Decide whether it starts again:
 * not once told to stop, not a drain that ran out of work, not a usage or
 * configuration error (its siblings would meet it too: *fatal is set).
 * Return the exit status it stands for.
 */
static int
streams_ended(const struct runjob *rj, struct stream *s, long i, int ws,
    bool stopping, bool *fatal)
{
	int	 rc;

	s->pid = 0;
	rc = WIFEXITED(ws) ? WEXITSTATUS(ws) : EXIT_SIGBASE + WTERMSIG(ws);
	if (stopping || (WIFEXITED(ws) && (rc == EXIT_USAGE ||
	    rc == EXIT_CONFIG))) {
		*fatal = *fatal || (!stopping && rc != EXIT_OK);
		s->done = true;
		return rc;
	}
	/* A drain's stream that ran its course is done; one that died,
	 * like any follower's, starts again. */
	if (!rj->o.follow && WIFEXITED(ws) && rc != EXIT_TEMPFAIL &&
	    rc != EXIT_SOFTWARE) {
		s->done = true;
		return rc;
	}
	s->backoff_ms = process_restart_backoff(s->backoff_ms,
	    run_now() - s->started_at);
	s->restart_at = run_now() + (double)s->backoff_ms / 1000;
	warnx("%s: stream %ld ended (%s %d); starting it again in %.0fs",
	    rj->o.jobid, i + 1, WIFEXITED(ws) ?
	    "exit" : "signal", WIFEXITED(ws) ? rc : WTERMSIG(ws),
	    (double)s->backoff_ms / 1000);
	return rc;
}

/* The seconds until the next restart is due (-1: none is). */
static double
streams_next(const struct stream *st, long n)
{
	double	 next = -1, now = run_now(), left;
	long	 i;

	for (i = 0; i < n; i++) {
		if (st[i].pid != 0 || st[i].done || st[i].restart_at == 0)
			continue;
		left = st[i].restart_at - now;
		if (left < 0)
			left = 0;
		if (next < 0 || left < next)
			next = left;
	}
	return next;
}

/*
 * A drain on a terminal, not quiet: the runs all streams finish, counted
 * in memory they share (the streams are forked, not exec'd), shown by a
 * progress line on stderr. A follower never ends: no line.
 */
static void
streams_progress_counter(struct runjob *rj)
{
	void	*m;

	rj->runs_done = NULL;
	if (!rj->o.drain || rj->o.follow || rj->o.verbosity == 0 ||
	    rj->o.quiet_success || !isatty(STDERR_FILENO))
		return;
	m = mmap(NULL, sizeof(*rj->runs_done), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m != MAP_FAILED)
		rj->runs_done = m;
}

int
streams_run(struct runjob *rj)
{
	struct stream	*st;
	struct timespec	 ts;
	siginfo_t	 si;
	sigset_t	 waitset;
	double		 next;
	long		 n = rj->o.streams, i, live;
	pid_t		 pid;
	struct progress	*pr = NULL;
	char		 what[128];
	int		 status = EXIT_OK, rc, sig, ws;
	bool		 stopping = false, fatal = false;

	/* Each stream connects on its own: ours would be shared. */
	db_close(rj->db);
	rj->db = NULL;
	stop_sigset(&waitset);
	sigaddset(&waitset, SIGCHLD);
	sigprocmask(SIG_BLOCK, &waitset, NULL);
	st = xcalloc((size_t)n, sizeof(*st));
	streams_progress_counter(rj);
	for (i = 0; i < n; i++)
		if (streams_start(rj, st, (int)i) == -1) {
			st[i].done = true;
			status = EXIT_SOFTWARE;
		}
	/* After the first forks: a restart's child never touches it. */
	if (rj->runs_done != NULL) {
		snprintf(what, sizeof(what), "%s: %ld streams, runs done",
		    rj->o.jobid, n);
		pr = progress_new(STDERR_FILENO, what, -1, false);
		progress_watch(pr, rj->runs_done);
	}

	for (;;) {
		for (i = 0, live = 0; i < n; i++)
			live += st[i].pid != 0 || (!st[i].done &&
			    st[i].restart_at != 0);
		if (live == 0)
			break;
		next = streams_next(st, n);
		if (next < 0)
			sig = sigwaitinfo(&waitset, &si);
		else {
			ts.tv_sec = (time_t)next;
			ts.tv_nsec = (long)((next - (double)ts.tv_sec) * 1e9);
			sig = sigtimedwait(&waitset, &si, &ts);
		}
		if (sig > 0 && sig != SIGCHLD) {
			/* First: each stream finishes its run; second:
			 * passed on to the scripts, as one runjob does. */
			if (!stopping)
				say(&rj->o, "%s: stopping %ld streams (signal "
				    "%d)", rj->o.jobid, n, sig);
			stopping = true;
			for (i = 0; i < n; i++)
				if (st[i].pid == 0)
					st[i].done = true;
			streams_signal(st, n, sig);
			continue;
		}
		while ((pid = waitpid(-1, &ws, WNOHANG)) > 0)
			for (i = 0; i < n; i++)
				if (st[i].pid == pid) {
					rc = streams_ended(rj, &st[i], i, ws,
					    stopping, &fatal);
					/* One started again (its database
					 * was away) ends later for good. */
					if (rc != EXIT_OK && st[i].done &&
					    (status == EXIT_OK || fatal))
						status = rc;
				}
		if (fatal && !stopping) {
			stopping = true;
			streams_signal(st, n, SIGTERM);
			for (i = 0; i < n; i++)
				if (st[i].pid == 0)
					st[i].done = true;
		}
		for (i = 0; i < n && !stopping; i++)
			if (st[i].pid == 0 && !st[i].done &&
			    st[i].restart_at != 0 &&
			    st[i].restart_at <= run_now() &&
			    streams_start(rj, st, (int)i) == -1)
				st[i].restart_at = run_now() +
				    (double)PROCESS_RESTART_MAX_MS / 1000;
	}
	progress_end(pr);
	if (rj->runs_done != NULL)
		munmap(rj->runs_done, sizeof(*rj->runs_done));
	rj->runs_done = NULL;
	free(st);
	/* Told to stop, followers finished their runs: a clean stop. */
	if (rj->o.follow && stopping && !fatal)
		status = EXIT_OK;
	return status;
}
