/* worker.h: a long-lived runjob as a worker: its registration and
 * heartbeat (sql/functions.sql df_worker_*), and the wait for work. */
#ifndef DF_WORKER_H
#define DF_WORKER_H

#include <signal.h>
#include <stdbool.h>

struct db;
struct db_error;

/* How a worker describes itself to df_worker_start. */
struct worker_info {
	const char	*jobid;
	const char	*host;
	int		 pid;
	const char	*user;
	bool		 follow;	/* --follow, else --drain */
	int		 stream;	/* its stream of --streams, or -1 */
	long		 beat_secs;	/* how often it is seen at least */
	const char	*version;	/* PACKAGE_VERSION, may be NULL */
};

/*
 * Register a worker: return its id (> 0; for claim_request.worker_id,
 * worker_beat and worker_stop), or -1 with *e filled (an unknown job has
 * SQLSTATE DF001).
 */
long long	 worker_register(struct db *db, const struct worker_info *wi,
		    struct db_error *e);
/*
 * Say an idle worker is alive. Return 1, 0 when the worker is no longer
 * registered (pruned or stopped: register again), or -1 with *e filled.
 */
int		 worker_beat(struct db *db, long long id, struct db_error *e);
/* Mark the worker stopped (a clean exit). Return 0, or -1 with *e filled. */
int		 worker_stop(struct db *db, long long id, struct db_error *e);
/*
 * After a claim of the worker failed with its connection: end as
 * CANCELLED the runs it holds (a claim that committed, its answer lost),
 * which makes their partitions claimable again. Return 1 when it ended
 * any, 0 when there was none, or -1 with *e filled.
 */
int		 worker_release(struct db *db, long long id,
		    struct db_error *e);

/* What worker_wait returns. */
enum worker_wake {
	WORKER_FAILED = -1,	/* *e filled; when the connection is gone
				   (db_alive), reconnect and wait again */
	WORKER_RECHECK,		/* the timeout ran out, or the session is
				   new and may have missed notifications:
				   try to claim */
	WORKER_NOTIFIED,	/* the job's channel said so: try to claim */
	WORKER_INTERRUPTED	/* a signal came: look at the stop flag */
};

/*
 * A wait on one of the schema's channels ("work": a job's work may have
 * become claimable; "run": the run of a triggered partition of the job
 * ended) for one job's notifications. Free with worker_wait_free.
 */
struct worker_wait;

/* Return a wait for kind ("work" or "run") and jobid (both copied). */
struct worker_wait *worker_wait_new(const char *kind, const char *jobid);
void		 worker_wait_free(struct worker_wait *w);
/*
 * Wait with mask as the signal mask (ppoll): a signal it lets through,
 * caught by a handler, ends a wait with WORKER_INTERRUPTED (none is lost
 * between the caller's check and the wait). NULL: the current mask.
 */
void		 worker_wait_sigmask(struct worker_wait *w, const sigset_t *mask);
/*
 * LISTEN to w's channel in db's current session, unless it already does.
 * Call before the claims whose "nothing to do" precedes a wait, so that
 * no notification falls between them. Return 1 when it started listening
 * (a new session: what was sent before is lost), 0 when it already was,
 * or -1 with *e filled.
 */
int		 worker_listen(struct db *db, struct worker_wait *w,
		    struct db_error *e);
/*
 * Wait at most recheck_ms for a notification of w's job, sending nothing
 * to the server; others' are read and dropped. After a reconnect it
 * LISTENs again and returns WORKER_RECHECK at once. With payload non-NULL
 * *payload is the notification's (caller frees) on WORKER_NOTIFIED, else
 * NULL. Return a worker_wake.
 */
enum worker_wake worker_wait(struct db *db, struct worker_wait *w,
		    long recheck_ms, char **payload, struct db_error *e);
/*
 * Return whether payload, a notification of channel kind, concerns
 * jobid: "work" carries a job id, "run" carries "run_id status jobid".
 */
bool		 worker_payload_matches(const char *payload,
		    const char *jobid);

#endif
