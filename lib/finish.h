/* finish.h: record how a run ended, riding out a database that is away,
 * else spool it locally; and record what earlier runs had to spool. */
#ifndef DF_FINISH_H
#define DF_FINISH_H

#include "report.h"

struct claim;
struct db;
struct run_end;
struct settings;

#define FINISH_RETRY_FIRST_MS	250	/* first wait between retries */
#define FINISH_RETRY_MAX	30	/* longest wait between retries, s */

enum finish_result {
	FINISH_RECORDED,
	FINISH_FENCED,		/* someone else holds the claim now */
	FINISH_SPOOLED,		/* kept locally for a later runjob */
	FINISH_LOST		/* neither recorded nor spooled */
};

/*
 * Return how long one attempt at the database may take, reconnecting
 * included, in ms: a third of the lease (a host that vanished answers
 * nothing), at least a second.
 */
long	finish_attempt_ms(long lease_secs);
/*
 * Return the longest wait between two attempts at recording, in ms: a
 * sixth of the lease, so that a database back within the lease hears of
 * the run before the lease can expire; between 1 s and FINISH_RETRY_MAX.
 */
long	finish_backoff_cap_ms(long lease_secs);
/* Return the wait after one of delay_ms: doubled, at most cap_ms. */
long	finish_backoff_next(long delay_ms, long cap_ms);

/*
 * Record the end of claim c of jobid, retrying with backoff while the
 * database is away (a lost connection is re-established, every host of a
 * multi-host url tried again), for up to s->finish_retry_secs; then spool
 * it locally (spool.h) so that the next runjob on this host records it. A
 * finished job's result is never silently lost: what happens is said
 * through r. Return what became of it; when FINISH_FENCED, *fenced_by
 * (if fenced_by is not NULL) may receive the status the database has for
 * the run (caller frees).
 */
enum finish_result finish_record(struct db *db, const struct settings *s,
	    const char *jobid, const struct claim *c, const struct run_end *end,
	    char **fenced_by, const struct report *r);
/*
 * Record the outcomes that earlier runjobs on this host had to spool for
 * this database (fenced as any end), removing each file once recorded or
 * refused, and those no runjob can replay; all is said through r. Stops
 * early, leaving the rest, when the connection is lost.
 */
void	finish_replay(struct db *db, const struct settings *s,
	    const struct report *r);

#endif
