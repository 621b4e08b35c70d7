/* finish.c: the end of a run, recorded fenced with backoff, spooled when
 * the database stays away, and replayed by a later runjob. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "claim.h"
#include "db.h"
#include "exitcodes.h"
#include "finish.h"
#include "run.h"
#include "settings.h"
#include "spool.h"

long
finish_attempt_ms(long lease_secs)
{
	long	 ms = lease_secs * 1000 / 3;

	return ms < 1000 ? 1000 : ms;
}

long
finish_backoff_cap_ms(long lease_secs)
{
	long	 cap_ms = lease_secs * 1000 / 6;

	if (cap_ms > FINISH_RETRY_MAX * 1000L)
		cap_ms = FINISH_RETRY_MAX * 1000L;
	if (cap_ms < 1000)
		cap_ms = 1000;
	return cap_ms;
}

long
finish_backoff_next(long delay_ms, long cap_ms)
{
	return delay_ms * 2 < cap_ms ? delay_ms * 2 : cap_ms;
}

/* Sleep ms milliseconds (the stop signals are blocked: no EINTR). */
static void
finish_sleep_ms(long ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Spool the outcome the database would not take. */
static enum finish_result
finish_spool(const struct settings *s, const char *jobid,
    const struct claim *c, const struct run_end *end, const struct report *r)
{
	char	*dir, *path, *dbid, *err = NULL;

	if ((dir = spool_dir()) == NULL) {
		report(r, REPORT_WARN, "run %lld: no spool directory (no HOME)",
		    c->run_id);
		return FINISH_LOST;
	}
	dbid = db_identity(s);
	path = spool_write(dir, dbid, c->run_id, jobid, c->dataid, end, &err);
	free(dbid);
	free(dir);
	if (path == NULL) {
		report(r, REPORT_WARN, "run %lld: could not spool its outcome: "
		    "%s", c->run_id, err);
		free(err);
		return FINISH_LOST;
	}
	report(r, REPORT_WARN, "run %lld: outcome %s spooled to %s; the next "
	    "runjob on this host records it", c->run_id, end->status, path);
	free(path);
	return FINISH_SPOOLED;
}

enum finish_result
finish_record(struct db *db, const struct settings *s, const char *jobid,
    const struct claim *c, const struct run_end *end, char **fenced_by,
    const struct report *r)
{
	struct db_error	 e = { 0 };
	double		 deadline = run_now() + (double)s->finish_retry_secs;
	long		 delay_ms = FINISH_RETRY_FIRST_MS, left_ms;
	long		 cap_ms = finish_backoff_cap_ms(s->lease_secs);
	long		 budget_ms = finish_attempt_ms(s->lease_secs);
	int		 rc;

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
		if ((left_ms = (long)((deadline - run_now()) * 1000)) <= 0)
			break;
		if (delay_ms > left_ms)
			delay_ms = left_ms;
		report(r, REPORT_WARN, "run %lld: could not record its end (%s); "
		    "retrying in %.2fs", c->run_id, e.message,
		    (double)delay_ms / 1000);
		db_error_clear(&e);
		finish_sleep_ms(delay_ms);
		delay_ms = finish_backoff_next(delay_ms, cap_ms);
	}
	report(r, REPORT_WARN, "run %lld: could not record its end: %s",
	    c->run_id, e.message);
	db_error_clear(&e);
	return finish_spool(s, jobid, c, end, r);
}

/* Replay one spooled entry; return -1 when the connection is lost. */
static int
finish_replay_one(struct db *db, const struct settings *s,
    const struct spool_entry *se, const struct report *r)
{
	struct run_end		 end;
	struct db_error		 e = { 0 };
	char			*fenced_by = NULL;
	int			 rc;

	if (se->stale) {
		report(r, REPORT_WARN, "%s: run %lld of %s %s, outcome %s, was "
		    "spooled by an older runjob with the database password in "
		    "it: no runjob can replay it; removed (the partition runs "
		    "again once its lease expired)", se->path, se->run_id,
		    se->jobid, se->dataid, se->status);
		unlink(se->path);
		return 0;
	}
	spool_run_end(se, &end);
	rc = claim_finish(db, se->run_id, &end,
	    finish_attempt_ms(s->lease_secs), &fenced_by, &e);
	if (rc == -1) {
		report(r, REPORT_WARN, "run %lld: spooled outcome not recorded "
		    "yet: %s", se->run_id, e.message);
		db_error_clear(&e);
		/* Lost: the claim reconnects, or says why not. */
		return db_alive(db) ? 0 : -1;
	}
	if (rc == 0)
		report(r, REPORT_WARN, "%s %s: run %lld: recorded its spooled "
		    "outcome %s", se->jobid, se->dataid, se->run_id,
		    se->status);
	else
		report(r, REPORT_WARN, "%s %s: run %lld: spooled outcome %s "
		    "discarded: the run is %s now", se->jobid, se->dataid,
		    se->run_id, se->status, fenced_by);
	free(fenced_by);
	unlink(se->path);
	return 0;
}

void
finish_replay(struct db *db, const struct settings *s,
    const struct report *r)
{
	struct spool_entry	*entries;
	char			*dir, *dbid, *err = NULL;
	size_t			 i, n;

	if ((dir = spool_dir()) == NULL)
		return;
	dbid = db_identity(s);
	if (spool_list(dir, dbid, &entries, &n, &err) == -1) {
		report(r, REPORT_WARN, "%s", err);
		free(err);
	}
	for (i = 0; i < n; i++)
		if (finish_replay_one(db, s, &entries[i], r) == -1)
			break;
	spool_free(entries, n);
	free(dbid);
	free(dir);
}
