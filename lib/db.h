/* db.h: the only door to PostgreSQL: connect, run parameterized SQL, results. */
#ifndef DF_DB_H
#define DF_DB_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

struct settings;
struct db;
struct db_result;

enum db_errkind {
	DB_OK = 0,
	DB_ERR_CONNECT,		/* unreachable, refused, too many clients */
	DB_ERR_AUTH,		/* authentication or database/role missing */
	DB_ERR_SCHEMA,		/* dataflow's schema is missing or older */
	DB_ERR_LOST,		/* the connection broke during a statement */
	DB_ERR_QUERY		/* the server refused a statement */
};

struct db_error {
	enum db_errkind	 kind;
	char		 sqlstate[6];	/* "" when not from the server */
	char		*message;	/* one line, owned; free with
					   db_error_clear */
};

/* db_connect flags. */
#define DB_SEARCH_PATH	0x1	/* set search_path to the schema for the
				   session (and again after a reconnect):
				   for SQL that names tables unqualified;
				   needs a session of its own, not a
				   transaction-pooled one */

/*
 * Connect with the settings (libpq keywords, fallback_application_name
 * appname) and password (may be NULL); flags are DB_* above. Nothing is
 * sent in the startup packet's options (PgBouncer refuses them): without
 * DB_SEARCH_PATH, statements name the schema themselves (db_schema). A
 * malformed url is refused before libpq sees it, with a message that does
 * not repeat it. A busy server (no free connection slot, "too many
 * clients", 53300; or a Unix socket whose accept queue is full, EAGAIN) is
 * asked again after a jittered backoff, for at most connect_timeout
 * (default 10 s) in all; past it *e says so, with sqlstate 53300. Return
 * the connection (caller closes with db_close) or NULL with *e filled.
 */
/*
 * Return the value of the libpq setting key ("host", "port", "dbname")
 * that connecting with s uses, looking into a url= that is a URI or a
 * connection string; caller frees; NULL when it is not set (libpq's
 * default then). Never a secret's: ask for none.
 */
char			*db_setting(const struct settings *s,
			    const char *key);
struct db		*db_connect(const struct settings *s,
			    const char *password, const char *appname,
			    int flags, struct db_error *e);
/* Return the dataflow schema quoted for SQL text ("dataflow"), owned by
 * db: for statements that qualify the df_* functions they call. */
const char		*db_schema(const struct db *db);
/*
 * Return whether a statement that failed with this SQLSTATE (NULL or ""
 * for an error libpq made itself) means the connection is gone: no
 * SQLSTATE, class 08, or 57P01-57P03 (server shut down or crashed). Such
 * an error is DB_ERR_LOST, and the connection is re-established by the
 * next db_reconnect before it is used again.
 */
bool			 db_sqlstate_lost(const char *state);
/*
 * Return which database the settings name, as text without secrets (the
 * schema and each connection setting but password, sslpassword and
 * oauth_client_secret; a URI or connection string holding a password is
 * given as its other pairs):
 * what spooled outcomes are filed under. Caller frees.
 */
char			*db_identity(const struct settings *s);
/* Close the connection; NULL is a no-op. */
void			 db_close(struct db *db);
/* Re-establish a broken connection (every host of a multi-host url is
 * tried again, as at connect). Return 0, or -1 with *e filled. */
int			 db_reconnect(struct db *db, struct db_error *e);
/*
 * Like db_reconnect, but give up after timeout_ms (the connection stays
 * unusable). Return 0, or -1 with *e filled.
 */
int			 db_reconnect_timeout(struct db *db, long timeout_ms,
			    struct db_error *e);
/* Return whether the connection is currently usable: false once a
 * statement found it lost, until a reconnect succeeds. */
bool			 db_alive(const struct db *db);
/*
 * Return the number of sessions db has had: it grows at each successful
 * (re)connect. What a session held (LISTEN) is gone when it changed.
 */
unsigned		 db_session(const struct db *db);

/* What db_wait_notify saw. */
enum db_wait {
	DB_WAIT_LOST = -1,	/* the connection is gone (*e filled): it is
				   re-established by db_reconnect */
	DB_WAIT_TIMEOUT,	/* nothing within the timeout */
	DB_WAIT_NOTIFY,		/* a notification (*payload set) */
	DB_WAIT_INTR		/* a signal interrupted the wait */
};

/*
 * LISTEN to channel in this session (given as a quoted identifier, so any
 * text is safe). Return 0, or -1 with *e filled.
 */
int			 db_listen(struct db *db, const char *channel,
			    struct db_error *e);
/*
 * Wait at most timeout_ms for one notification of a channel this session
 * listens to, without sending anything to the server: those already read
 * come first. With sigmask, that is the signal mask during the wait (as
 * ppoll): a signal it unblocks, caught by a handler, ends the wait. Return
 * DB_WAIT_NOTIFY with *payload its payload (caller frees; payload may be
 * NULL to drop it), DB_WAIT_TIMEOUT, DB_WAIT_INTR, or DB_WAIT_LOST with *e
 * filled.
 */
enum db_wait		 db_wait_notify(struct db *db, long timeout_ms,
			    const sigset_t *sigmask, char **payload,
			    struct db_error *e);

/*
 * Run one statement with text parameters $1..$n (NULL pointers are SQL
 * NULL). Return its result (caller frees with db_result_free) or NULL with
 * *e filled.
 */
struct db_result	*db_query(struct db *db, const char *sql, int nparams,
			    const char *const *params, struct db_error *e);
/*
 * Like db_query, but give up after timeout_ms (the statement is cancelled
 * and the connection must be re-established before its next use: see
 * db_alive, db_reconnect), so a hung database cannot stall the caller.
 */
struct db_result	*db_query_timeout(struct db *db, const char *sql,
			    int nparams, const char *const *params,
			    long timeout_ms, struct db_error *e);
/* Run one statement; return the number of rows it affected, or -1. */
long			 db_exec(struct db *db, const char *sql, int nparams,
			    const char *const *params, struct db_error *e);
/*
 * Run a compiled-in multi-statement script (schema files) with the simple
 * query protocol. Never pass it anything built from input. Return 0 or -1.
 */
int			 db_exec_script(struct db *db, const char *script,
			    struct db_error *e);
/* BEGIN, COMMIT, ROLLBACK. Return 0 or -1 with *e filled. */
int			 db_begin(struct db *db, struct db_error *e);
int			 db_commit(struct db *db, struct db_error *e);
int			 db_rollback(struct db *db, struct db_error *e);
/* Return the identifier quoted for SQL text (caller frees), or NULL. */
char			*db_quote_ident(struct db *db, const char *ident);

/*
 * Return a PostgreSQL array literal of the n strings (each quoted and
 * escaped), for a $n::text[] parameter; caller frees.
 */
char			*db_text_array(const char *const *v, size_t n);

/* Rows and columns of a result. */
int			 db_rows(const struct db_result *r);
int			 db_cols(const struct db_result *r);
/* Return the value at (row, col), owned by r, or NULL if SQL NULL. */
const char		*db_value(const struct db_result *r, int row, int col);
/*
 * Return the integer at (row, col), or dflt if it is SQL NULL or not an
 * integer (values come from typed columns: the check is a safety net).
 */
long long		 db_int(const struct db_result *r, int row, int col,
			    long long dflt);
/* Return the column number of name in r, or -1. */
int			 db_colnum(const struct db_result *r, const char *name);
/* Return the value of column name in row of r, owned by r, or NULL if SQL
 * NULL or no such row or column. */
const char		*db_col(const struct db_result *r, int row,
			    const char *name);
/* Free r; NULL is a no-op. */
void			 db_result_free(struct db_result *r);

/* Free the message in e and reset it. */
void			 db_error_clear(struct db_error *e);
/* Return the exit status (exitcodes.h) that an error of this kind maps to. */
int			 db_error_exit(const struct db_error *e);

#endif
