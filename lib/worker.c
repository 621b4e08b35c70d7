/* worker.c: the client side of workers: registration, heartbeat, and the
 * wait for work (LISTEN and a poll on the connection's socket, with the
 * periodic re-check as its timeout). The rules live in sql/. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "worker.h"
#include "xmalloc.h"

/* The calls, each qualified by its function's schema (see claim.c): no
 * search_path needed. */
#define WORKER_START_CALL \
    "df_worker_start($1, $2, $3::integer, $4, $5, $6::integer, " \
    "$7::integer, $8)"
#define WORKER_BEAT_CALL	"df_worker_beat($1::bigint)"
#define WORKER_STOP_CALL	"df_worker_stop($1::bigint)"
#define WORKER_RELEASE_CALL	"df_worker_release($1::bigint)"
#define WORKER_CHANNEL_CALL	"df_channel($1)"

struct worker_wait {
	char		*kind;		/* "work" or "run" */
	char		*jobid;
	char		*channel;	/* as df_channel names it, once asked */
	bool		 listening;
	unsigned	 session;	/* the db_session it listens in */
	bool		 masked;	/* sigmask is the mask of its waits */
	sigset_t	 sigmask;
};

/* SELECT one df_* call of this module; return its result or NULL with *e
 * filled. */
static struct db_result *
worker_query(struct db *db, const char *call, int n, const char *const *p,
    struct db_error *e)
{
	struct db_result	*r;
	char			*sql;

	sql = xasprintf("SELECT %s.%s", db_schema(db), call);
	r = db_query(db, sql, n, p, e);
	free(sql);
	return r;
}

long long
worker_register(struct db *db, const struct worker_info *wi,
    struct db_error *e)
{
	struct db_result	*r;
	char			 pid[16], stream[16], beat[24];
	const char		*p[8];
	long long		 id;

	snprintf(pid, sizeof(pid), "%d", wi->pid);
	snprintf(stream, sizeof(stream), "%d", wi->stream);
	snprintf(beat, sizeof(beat), "%ld", wi->beat_secs);
	p[0] = wi->jobid;
	p[1] = wi->host;
	p[2] = pid;
	p[3] = wi->user;
	p[4] = wi->follow ? "follow" : "drain";
	p[5] = wi->stream >= 0 ? stream : NULL;
	p[6] = beat;
	p[7] = wi->version;
	if ((r = worker_query(db, WORKER_START_CALL, 8, p, e)) == NULL)
		return -1;
	id = db_int(r, 0, 0, -1);
	db_result_free(r);
	return id;
}

/* Call a df_worker_* function of one worker id that returns a boolean:
 * return 1 (true), 0 (false), or -1 with *e filled. */
static int
worker_call(struct db *db, const char *call, long long id, struct db_error *e)
{
	struct db_result	*r;
	char			 buf[24];
	const char		*p[1] = { buf };
	const char		*v;
	int			 rc;

	snprintf(buf, sizeof(buf), "%lld", id);
	if ((r = worker_query(db, call, 1, p, e)) == NULL)
		return -1;
	v = db_rows(r) == 1 ? db_value(r, 0, 0) : NULL;
	rc = v != NULL && strcmp(v, "t") == 0;
	db_result_free(r);
	return rc;
}

int
worker_beat(struct db *db, long long id, struct db_error *e)
{
	return worker_call(db, WORKER_BEAT_CALL, id, e);
}

int
worker_stop(struct db *db, long long id, struct db_error *e)
{
	return worker_call(db, WORKER_STOP_CALL, id, e) == -1 ? -1 : 0;
}

int
worker_release(struct db *db, long long id, struct db_error *e)
{
	return worker_call(db, WORKER_RELEASE_CALL, id, e);
}

struct worker_wait *
worker_wait_new(const char *kind, const char *jobid)
{
	struct worker_wait	*w;

	w = xcalloc(1, sizeof(*w));
	w->kind = xstrdup(kind);
	w->jobid = xstrdup(jobid);
	return w;
}

void
worker_wait_free(struct worker_wait *w)
{
	if (w == NULL)
		return;
	free(w->kind);
	free(w->jobid);
	free(w->channel);
	free(w);
}

void
worker_wait_sigmask(struct worker_wait *w, const sigset_t *mask)
{
	w->masked = mask != NULL;
	if (mask != NULL)
		w->sigmask = *mask;
}

bool
worker_payload_matches(const char *payload, const char *jobid)
{
	const char	*last;

	if (payload == NULL)
		return false;
	last = strrchr(payload, ' ');
	return strcmp(last != NULL ? last + 1 : payload, jobid) == 0;
}

int
worker_listen(struct db *db, struct worker_wait *w, struct db_error *e)
{
	struct db_result	*r;
	const char		*p[1] = { w->kind };

	if (w->listening && w->session == db_session(db))
		return 0;
	w->listening = false;
	if (w->channel == NULL) {
		if ((r = worker_query(db, WORKER_CHANNEL_CALL, 1, p,
		    e)) == NULL)
			return -1;
		if (db_value(r, 0, 0) != NULL)
			w->channel = xstrdup(db_value(r, 0, 0));
		db_result_free(r);
		if (w->channel == NULL) {
			e->kind = DB_ERR_QUERY;
			e->message = xstrdup("df_channel named no channel");
			return -1;
		}
	}
	if (db_listen(db, w->channel, e) == -1)
		return -1;
	w->listening = true;
	w->session = db_session(db);
	return 1;
}

static int64_t
worker_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum worker_wake
worker_wait(struct db *db, struct worker_wait *w, long recheck_ms,
    char **payload, struct db_error *e)
{
	int64_t		 deadline = worker_now_ms() + recheck_ms, left;
	char		*got = NULL;
	int		 n;

	if (payload != NULL)
		*payload = NULL;
	if ((n = worker_listen(db, w, e)) == -1)
		return WORKER_FAILED;
	if (n == 1)
		return WORKER_RECHECK;
	for (;;) {
		if ((left = deadline - worker_now_ms()) < 0)
			left = 0;
		switch (db_wait_notify(db, (long)left, w->masked ?
		    &w->sigmask : NULL, &got, e)) {
		case DB_WAIT_LOST:
			return WORKER_FAILED;
		case DB_WAIT_TIMEOUT:
			return WORKER_RECHECK;
		case DB_WAIT_INTR:
			return WORKER_INTERRUPTED;
		case DB_WAIT_NOTIFY:
			break;
		}
		if (worker_payload_matches(got, w->jobid)) {
			/* A burst is one wake: drop what else is read. */
			while (db_wait_notify(db, 0, NULL, NULL, e) ==
			    DB_WAIT_NOTIFY)
				;
			if (payload != NULL)
				*payload = got;
			else
				free(got);
			return db_alive(db) ? WORKER_NOTIFIED : WORKER_FAILED;
		}
		free(got);
		got = NULL;
	}
}
