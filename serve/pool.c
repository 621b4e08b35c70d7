/* pool.c: the server's database connections, one per worker thread (a
 * libpq connection is not for two threads at once): opened on the thread's
 * first request, reconnected after an outage, closed at the end. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "exitcodes.h"
#include "open.h"
#include "pool.h"
#include "xmalloc.h"

/* One thread's connection, and the session its settings were made in. */
struct pool_slot {
	struct db	*db;
	unsigned	 session;	/* db_session when statement_timeout was
					   set; 0: not yet */
	struct pool_slot *next;
};

static const struct open_opts	*pool_opts;
static const struct settings	*pool_settings;
static long			 pool_timeout_ms;
static pthread_mutex_t		 pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pool_slot		*pool_slots;	/* every thread's, to close */
static __thread struct pool_slot *pool_mine;

void
pool_init(const struct open_opts *o, const struct settings *s,
    long statement_timeout_ms)
{
	pool_opts = o;
	pool_settings = s;
	pool_timeout_ms = statement_timeout_ms;
}

/* Fail with a connection error saying why. */
static void
pool_fail(struct db_error *e, const char *why)
{
	db_error_clear(e);
	e->kind = DB_ERR_CONNECT;
	e->message = xstrdup(why);
}

/* Connect the slot's first session. Return 0, or -1 with *e filled. */
static int
pool_connect(struct pool_slot *slot, struct db_error *e)
{
	char	*errmsg = NULL;

	if (open_connect(pool_opts, pool_settings, NULL, &slot->db,
	    &errmsg) != EXIT_OK) {
		pool_fail(e, errmsg != NULL ? errmsg : "could not connect");
		free(errmsg);
		return -1;
	}
	return 0;
}

/* Set statement_timeout for the slot's session, once per session. */
static int
pool_session(struct pool_slot *slot, struct db_error *e)
{
	char		 ms[32];
	const char	*p[1] = { ms };

	if (slot->session == db_session(slot->db))
		return 0;
	snprintf(ms, sizeof(ms), "%ld", pool_timeout_ms);
	if (db_exec(slot->db, "SELECT set_config('statement_timeout', $1, "
	    "false)", 1, p, e) < 0)
		return -1;
	slot->session = db_session(slot->db);
	return 0;
}

struct db *
pool_db(struct db_error *e)
{
	struct pool_slot	*slot;

	if ((slot = pool_mine) == NULL) {
		slot = xcalloc(1, sizeof(*slot));
		pthread_mutex_lock(&pool_lock);
		slot->next = pool_slots;
		pool_slots = slot;
		pthread_mutex_unlock(&pool_lock);
		pool_mine = slot;
	}
	if (slot->db == NULL) {
		if (pool_connect(slot, e) == -1)
			return NULL;
	} else if (!db_alive(slot->db) && db_reconnect_timeout(slot->db,
	    POOL_RECONNECT_MS, e) == -1)
		return NULL;
	if (pool_session(slot, e) == -1) {
		if (e->kind == DB_ERR_LOST)
			e->kind = DB_ERR_CONNECT;
		return NULL;
	}
	return slot->db;
}

void
pool_close(void)
{
	struct pool_slot	*slot, *next;

	pthread_mutex_lock(&pool_lock);
	for (slot = pool_slots; slot != NULL; slot = next) {
		next = slot->next;
		db_close(slot->db);
		free(slot);
	}
	pool_slots = NULL;
	pthread_mutex_unlock(&pool_lock);
}
