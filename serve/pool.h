/* pool.h: one database connection per server thread, opened lazily,
 * re-established after an outage. */
#ifndef DF_SERVE_POOL_H
#define DF_SERVE_POOL_H

struct db;
struct db_error;
struct open_opts;
struct settings;

#define POOL_RECONNECT_MS	5000	/* a reconnect waits no longer */

/*
 * Remember how to connect: o (its passkey must be OPEN_PASSKEY_NEVER) and
 * s, both kept by the caller until pool_close, and each session's
 * statement_timeout in milliseconds (0: none).
 */
void	pool_init(const struct open_opts *o, const struct settings *s,
	    long statement_timeout_ms);
/*
 * Return the calling thread's connection, connecting or reconnecting it
 * first when needed (and setting its statement_timeout for each new
 * session), or NULL with *e filled (kind DB_ERR_CONNECT: the caller
 * answers 503). Owned by the pool.
 */
struct db *pool_db(struct db_error *e);
/* Close every thread's connection (once the threads are stopped). */
void	pool_close(void);

#endif
