/* db.c: every libpq call of dataflow: connecting, parameterized statements,
 * results and the classification of errors into exit statuses. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "db.h"
#include "exitcodes.h"
#include "settings.h"
#include "strbuf.h"
#include "xmalloc.h"

/* Without a connect_timeout libpq may wait for TCP's own (minutes). */
#define DB_DEFAULT_CONNECT_TIMEOUT	"10"
/* A server out of connection slots is asked again after a jittered
 * backoff, from the first to the most, doubling, within connect_timeout. */
#define DB_BUSY_FIRST_MS		50
#define DB_BUSY_MAX_MS			1000

struct db {
	PGconn	*conn;
	char	*schema;	/* the dataflow schema, quoted for SQL text */
	int	 flags;		/* DB_* flags of db_connect */
	bool	 broken;	/* lost, or a timed-out statement left it
				   unusable: reconnect before the next use */
	unsigned session;	/* counts sessions: LISTENs die with one */
};

struct db_result {
	PGresult *res;
};

static int64_t	db_now_ms(void);
static void	db_result_error(struct db *, PGresult *, struct db_error *);

static void
db_error_set(struct db_error *e, enum db_errkind kind, const char *sqlstate,
    const char *msg)
{
	const char	*nl;

	if (e == NULL)
		return;
	db_error_clear(e);
	e->kind = kind;
	if (sqlstate != NULL)
		strlcpy(e->sqlstate, sqlstate, sizeof(e->sqlstate));
	if (msg == NULL || *msg == '\0')
		msg = "unknown database error";
	/* libpq messages may span lines; the first says what happened. */
	nl = strchr(msg, '\n');
	e->message = nl != NULL ? xstrndup(msg, (size_t)(nl - msg)) :
	    xstrdup(msg);
}

void
db_error_clear(struct db_error *e)
{
	free(e->message);
	e->message = NULL;
	e->kind = DB_OK;
	e->sqlstate[0] = '\0';
}

int
db_error_exit(const struct db_error *e)
{
	switch (e->kind) {
	case DB_OK:
		return EXIT_OK;
	case DB_ERR_CONNECT:
	case DB_ERR_LOST:
		return EXIT_TEMPFAIL;
	case DB_ERR_AUTH:
	case DB_ERR_SCHEMA:
		return EXIT_CONFIG;
	case DB_ERR_QUERY:
		break;
	}
	if (strcmp(e->sqlstate, "DF001") == 0)	/* unknown job */
		return EXIT_CONFIG;
	/* The properties name a role without the right (see the roles). */
	if (strcmp(e->sqlstate, "42501") == 0)
		return EXIT_CONFIG;
	/* Contention and server shutdown pass: try again later. */
	if (strncmp(e->sqlstate, "40", 2) == 0 ||
	    strcmp(e->sqlstate, "55P03") == 0 ||
	    strncmp(e->sqlstate, "57", 2) == 0 ||
	    strncmp(e->sqlstate, "08", 2) == 0 ||
	    strcmp(e->sqlstate, "53300") == 0)
		return EXIT_TEMPFAIL;
	return EXIT_SOFTWARE;
}

/* A library never prints: drop server notices (they are informational). */
static void
db_notice_ignore(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static enum db_errkind
db_connect_errkind(const char *msg)
{
	static const char *const config_errors[] = {
		"authentication failed",
		"password",
		"does not exist",
		"no pg_hba.conf entry",
		"invalid connection option",
		"invalid URI",
		"missing \"=\"",
		"invalid sslmode",
		"invalid port",
		"could not translate host name",
		NULL
	};
	size_t	 i;

	for (i = 0; config_errors[i] != NULL; i++)
		if (strstr(msg, config_errors[i]) != NULL)
			return DB_ERR_AUTH;
	return DB_ERR_CONNECT;
}

/* Strip libpq's 'connection to server on socket "..." failed: ' prefix. */
static const char *
db_connect_message(const char *msg)
{
	const char	*p;

	if (strncmp(msg, "connection to server", 20) == 0 &&
	    (p = strstr(msg, " failed: ")) != NULL)
		return p + 9;
	return msg;
}

/*
 * What a new or re-established session needs: for the commands that name
 * their tables unqualified (dataflow's), search_path set to the schema.
 * Parameterized, and set again after every reconnect.
 */
static int
db_session_setup(struct db *db, struct db_error *e)
{
	const char	*p[1];
	PGresult	*res;

	db->session++;
	if ((db->flags & DB_SEARCH_PATH) == 0)
		return 0;
	p[0] = db->schema;
	res = PQexecParams(db->conn, "SELECT pg_catalog.set_config("
	    "'search_path', $1, false)", 1, NULL, p, NULL, NULL, 0);
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
		db_result_error(db, res, e);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

/* Whether a dbname is a connection URI or string (libpq expands it), not
 * a plain database name. */
static bool
db_dbname_expands(const char *dbname)
{
	return strncmp(dbname, "postgresql://", 13) == 0 ||
	    strncmp(dbname, "postgres://", 11) == 0 ||
	    strchr(dbname, '=') != NULL;
}

/*
 * Whether libpq can parse a connection string or URI given as dbname; if
 * not, say which setting is wrong without repeating its value: libpq's own
 * message quotes the offending part, which may be a password.
 */
static bool
db_conninfo_parses(const char *dbname, struct db_error *e)
{
	PQconninfoOption	*opts;
	char			*errmsg = NULL;
	bool			 uri;

	if (!db_dbname_expands(dbname))
		return true;
	uri = strncmp(dbname, "postgresql://", 13) == 0 ||
	    strncmp(dbname, "postgres://", 11) == 0;
	if ((opts = PQconninfoParse(dbname, &errmsg)) != NULL) {
		PQconninfoFree(opts);
		return true;
	}
	if (errmsg != NULL) {
		explicit_bzero(errmsg, strlen(errmsg));
		PQfreemem(errmsg);
	}
	db_error_set(e, DB_ERR_AUTH, NULL, uri ? "url is not a valid "
	    "connection URI (a malformed percent-encoding, port or "
	    "parameter)" : "url is not a valid connection string "
	    "(expected key=value pairs)");
	return false;
}

/*
 * Whether a refused connection was a busy server's: its "too many clients"
 * (SQLSTATE 53300, or its slots reserved for superusers), or a Unix socket
 * whose queue of connections not yet accepted is full, which connect(2)
 * refuses with EAGAIN where TCP would wait (hundreds of clients arriving
 * at once). A failed startup gives libpq no SQLSTATE to read, only the
 * text; libpq words an errno with strerror in this process.
 */
static bool
db_connect_busy(const char *msg)
{
	return strstr(msg, "too many clients") != NULL ||
	    strstr(msg, "remaining connection slots are reserved") != NULL ||
	    strstr(msg, strerror(EAGAIN)) != NULL;
}

/* How long, in all, a connection waits for a free slot: connect_timeout
 * as the settings give it in seconds (libpq's own for each attempt). */
static long
db_busy_budget_ms(const struct settings *s)
{
	const char	*v;
	long		 secs;

	v = conninfo_get(&s->conn, "connect_timeout");
	secs = strtol(v != NULL ? v : DB_DEFAULT_CONNECT_TIMEOUT, NULL, 10);
	if (secs <= 0)
		secs = strtol(DB_DEFAULT_CONNECT_TIMEOUT, NULL, 10);
	return secs * 1000;
}

/*
 * PQconnectdbParams, asked again while the server has no free connection
 * slot (a storm of clients): each refusal is quick, and the others end
 * their sessions, so waiting a jittered backoff beats failing at once. A
 * refusal past budget_ms is returned as it is.
 */
static PGconn *
db_connect_params(const char *const *keys, const char *const *values,
    long budget_ms)
{
	int64_t		 deadline = db_now_ms() + budget_ms, left;
	long		 backoff = DB_BUSY_FIRST_MS, nap;
	PGconn		*conn;

	for (;;) {
		conn = PQconnectdbParams(keys, values, 1);
		if (conn == NULL || PQstatus(conn) == CONNECTION_OK ||
		    !db_connect_busy(PQerrorMessage(conn)) ||
		    (left = deadline - db_now_ms()) <= 0)
			return conn;
		PQfinish(conn);
		nap = backoff / 2 + (long)arc4random_uniform(
		    (uint32_t)backoff / 2 + 1);
		/* A signal may cut the nap short: the backoff is jittered
		 * anyway. */
		(void)poll(NULL, 0, (int)(nap < left ? nap : left));
		backoff = backoff * 2 > DB_BUSY_MAX_MS ? DB_BUSY_MAX_MS :
		    backoff * 2;
	}
}

/* Fill *e with a reconnect's failure, said as one (libpq's text alone is
 * often just "No such file or directory"). */
static void
db_reconnect_error(struct db_error *e, const char *libpq_msg)
{
	const char	*msg = db_connect_message(libpq_msg);
	char		 buf[512];

	snprintf(buf, sizeof(buf), "could not reconnect: %s", msg);
	db_error_set(e, db_connect_errkind(msg), NULL, buf);
}

struct db *
db_connect(const struct settings *s, const char *password,
    const char *appname, int flags, struct db_error *e)
{
	const char	**keys, **values;
	const char	 *dbname;
	struct db	 *db = NULL;
	PGconn		 *conn;
	size_t		  i, n = 0;

	if ((dbname = conninfo_get(&s->conn, "dbname")) != NULL &&
	    !db_conninfo_parses(dbname, e))
		return NULL;
	/*
	 * Our defaults, the settings' own pairs (later ones win, also over
	 * what a URI in dbname says), ours, then the terminator. Nothing goes
	 * in the startup packet's options: PgBouncer refuses them, and a
	 * search_path set for the session would not survive its transaction
	 * pooling. runjob's statements name the schema instead.
	 */
	keys = xcalloc(s->conn.n + 4, sizeof(*keys));
	values = xcalloc(s->conn.n + 4, sizeof(*values));
	keys[n] = "connect_timeout";
	values[n++] = DB_DEFAULT_CONNECT_TIMEOUT;
	for (i = 0; i < s->conn.n; i++) {
		keys[n] = s->conn.keys[i];
		values[n++] = s->conn.values[i];
	}
	if (password != NULL) {
		keys[n] = "password";
		values[n++] = password;
	}
	keys[n] = "fallback_application_name";
	values[n++] = appname;
	keys[n] = NULL;
	values[n] = NULL;

	conn = db_connect_params(keys, values, db_busy_budget_ms(s));
	if (conn == NULL) {
		db_error_set(e, DB_ERR_CONNECT, NULL, "out of memory");
		goto out;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		const char *msg = db_connect_message(PQerrorMessage(conn));

		if (db_connect_busy(msg)) {
			char	*busy = xasprintf("the server stayed busy for "
			    "connect_timeout (%ld s): %s",
			    db_busy_budget_ms(s) / 1000, msg);

			db_error_set(e, DB_ERR_CONNECT, "53300", busy);
			free(busy);
		} else
			db_error_set(e, db_connect_errkind(msg), NULL, msg);
		PQfinish(conn);
		goto out;
	}
	PQsetNoticeProcessor(conn, db_notice_ignore, NULL);
	db = xcalloc(1, sizeof(*db));
	db->conn = conn;
	db->flags = flags;
	/* An identifier (settings checked it): quoting keeps its case. */
	db->schema = xasprintf("\"%s\"", s->schema);
	if (db_session_setup(db, e) == -1) {
		db_close(db);
		db = NULL;
	}
out:
	free(keys);
	free(values);
	return db;
}

/* Whether a connection keyword names a secret. */
static bool
db_secret_key(const char *key)
{
	return strcmp(key, "password") == 0 ||
	    strcmp(key, "sslpassword") == 0 ||
	    strcmp(key, "oauth_client_secret") == 0;
}

char *
db_setting(const struct settings *s, const char *key)
{
	PQconninfoOption	*opts, *o;
	const char		*dbname = conninfo_get(&s->conn, "dbname");
	char			*v = NULL;

	if (dbname != NULL && db_dbname_expands(dbname) &&
	    (opts = PQconninfoParse(dbname, NULL)) != NULL) {
		for (o = opts; o->keyword != NULL && v == NULL; o++)
			if (strcmp(o->keyword, key) == 0 && o->val != NULL &&
			    *o->val != '\0')
				v = xstrdup(o->val);
		PQconninfoFree(opts);
		if (v != NULL || strcmp(key, "dbname") == 0)
			return v;
	}
	if ((dbname = conninfo_get(&s->conn, key)) != NULL && *dbname != '\0')
		v = xstrdup(dbname);
	return v;
}

char *
db_identity(const struct settings *s)
{
	struct strbuf		 sb = STRBUF_INIT;
	PQconninfoOption	*opts, *o;
	const char		*k, *v;
	bool			 secret;
	size_t			 i;

	strbuf_addf(&sb, "schema=%s", s->schema);
	for (i = 0; i < s->conn.n; i++) {
		k = s->conn.keys[i];
		v = s->conn.values[i];
		if (db_secret_key(k))
			continue;
		if (strcmp(k, "dbname") != 0 || !db_dbname_expands(v) ||
		    (opts = PQconninfoParse(v, NULL)) == NULL) {
			strbuf_addf(&sb, " %s=%s", k, v);
			continue;
		}
		/* A connection string or URI: its own pairs, unless it holds
		 * a secret (then without it). */
		secret = false;
		for (o = opts; o->keyword != NULL; o++)
			if (o->val != NULL && db_secret_key(o->keyword))
				secret = true;
		if (!secret)
			strbuf_addf(&sb, " %s=%s", k, v);
		else
			for (o = opts; o->keyword != NULL; o++)
				if (o->val != NULL && *o->val != '\0' &&
				    !db_secret_key(o->keyword))
					strbuf_addf(&sb, " %s=%s", o->keyword,
					    o->val);
		for (o = opts; o->keyword != NULL; o++)
			if (o->val != NULL)
				explicit_bzero(o->val, strlen(o->val));
		PQconninfoFree(opts);
	}
	return strbuf_detach(&sb);
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	PQfinish(db->conn);
	free(db->schema);
	free(db);
}

const char *
db_schema(const struct db *db)
{
	return db->schema;
}

int
db_reconnect(struct db *db, struct db_error *e)
{
	PQreset(db->conn);
	db->broken = false;
	if (PQstatus(db->conn) != CONNECTION_OK) {
		db->broken = true;
		db_reconnect_error(e, PQerrorMessage(db->conn));
		return -1;
	}
	return db_session_setup(db, e);
}

int
db_reconnect_timeout(struct db *db, long timeout_ms, struct db_error *e)
{
	PostgresPollingStatusType	 st;
	struct pollfd			 pfd;
	int64_t				 deadline = db_now_ms() + timeout_ms;
	int64_t				 left;
	int				 rc;

	if (!PQresetStart(db->conn))
		goto fail;
	st = PGRES_POLLING_WRITING;
	while (st != PGRES_POLLING_OK) {
		if (st == PGRES_POLLING_FAILED)
			goto fail;
		pfd.fd = PQsocket(db->conn);
		pfd.events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
		if ((left = deadline - db_now_ms()) <= 0) {
			db->broken = true;
			db_error_set(e, DB_ERR_CONNECT, NULL,
			    "the database did not answer in time");
			return -1;
		}
		rc = poll(&pfd, 1, (int)left);
		if (rc == -1 && errno != EINTR)
			goto fail;
		if (rc > 0)
			st = PQresetPoll(db->conn);
	}
	PQsetNoticeProcessor(db->conn, db_notice_ignore, NULL);
	db->broken = false;
	return db_session_setup(db, e);
fail:
	db->broken = true;
	db_reconnect_error(e, PQerrorMessage(db->conn));
	return -1;
}

bool
db_alive(const struct db *db)
{
	return db != NULL && !db->broken &&
	    PQstatus(db->conn) == CONNECTION_OK;
}

/*
 * Whether a failed statement means the connection is gone: libpq's own
 * errors carry no SQLSTATE (after "server closed the connection
 * unexpectedly" PQstatus may still say CONNECTION_OK until the next read),
 * connection exceptions are class 08, and a server shutting down or
 * crashing ends the session with 57P01-57P03.
 */
bool
db_sqlstate_lost(const char *state)
{
	return state == NULL || *state == '\0' ||
	    strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0;
}

/* Turn a failed result into *e; classify by SQLSTATE and connection state.
 * A lost connection is marked broken, so that it is re-established before
 * its next use. */
static void
db_result_error(struct db *db, PGresult *res, struct db_error *e)
{
	const char	*state = NULL, *msg = NULL;
	enum db_errkind	 kind = DB_ERR_QUERY;

	if (res != NULL) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	}
	if (msg == NULL)
		msg = PQerrorMessage(db->conn);
	if (PQstatus(db->conn) != CONNECTION_OK || db_sqlstate_lost(state)) {
		kind = DB_ERR_LOST;
		db->broken = true;
	} else if (strcmp(state, "3F000") == 0 ||
	    strcmp(state, "42P01") == 0 || strcmp(state, "42883") == 0)
		kind = DB_ERR_SCHEMA;
	db_error_set(e, kind, state, msg);
}

struct db_result *
db_query(struct db *db, const char *sql, int nparams,
    const char *const *params, struct db_error *e)
{
	PGresult		*res;
	struct db_result	*r;
	ExecStatusType		 st;

	if (db->broken) {
		db_error_set(e, DB_ERR_LOST, NULL, "connection unusable");
		return NULL;
	}
	res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL,
	    0);
	st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		db_result_error(db, res, e);
		PQclear(res);
		return NULL;
	}
	r = xmalloc(sizeof(*r));
	r->res = res;
	return r;
}

static int64_t
db_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct db_result *
db_query_timeout(struct db *db, const char *sql, int nparams,
    const char *const *params, long timeout_ms, struct db_error *e)
{
	struct db_result	*r = NULL;
	struct pollfd		 pfd;
	PGresult		*res, *last = NULL;
	int64_t			 deadline = db_now_ms() + timeout_ms, left;
	int			 rc;

	if (db->broken) {
		db_error_set(e, DB_ERR_LOST, NULL, "connection unusable");
		return NULL;
	}
	if (!PQsendQueryParams(db->conn, sql, nparams, NULL, params, NULL,
	    NULL, 0))
		goto fail;
	pfd.fd = PQsocket(db->conn);
	pfd.events = POLLIN;
	/* A short statement's parameters fit the socket buffer: one flush. */
	if (PQflush(db->conn) != 0)
		goto fail;
	while (PQisBusy(db->conn)) {
		if ((left = deadline - db_now_ms()) <= 0) {
			/*
			 * Give the connection up: its state is unknown. No
			 * PQcancel(): it opens a new connection with no
			 * timeout and would block for minutes on a host that
			 * has gone away. The server ends the statement when
			 * it sees the connection go (db_reconnect replaces it).
			 */
			db->broken = true;
			db_error_set(e, DB_ERR_LOST, NULL,
			    "the database did not answer in time");
			return NULL;
		}
		rc = poll(&pfd, 1, (int)left);
		if (rc == -1 && errno != EINTR)
			goto fail;
		if (rc > 0 && !PQconsumeInput(db->conn))
			goto fail;
	}
	while ((res = PQgetResult(db->conn)) != NULL) {
		PQclear(last);
		last = res;
	}
	if (last == NULL || (PQresultStatus(last) != PGRES_TUPLES_OK &&
	    PQresultStatus(last) != PGRES_COMMAND_OK)) {
		db_result_error(db, last, e);
		PQclear(last);
		return NULL;
	}
	r = xmalloc(sizeof(*r));
	r->res = last;
	return r;
fail:
	db_result_error(db, NULL, e);
	return NULL;
}

long
db_exec(struct db *db, const char *sql, int nparams,
    const char *const *params, struct db_error *e)
{
	struct db_result	*r;
	const char		*tuples;
	long			 n;

	if ((r = db_query(db, sql, nparams, params, e)) == NULL)
		return -1;
	tuples = PQcmdTuples(r->res);
	n = *tuples != '\0' ? strtol(tuples, NULL, 10) : 0;
	db_result_free(r);
	return n;
}

int
db_exec_script(struct db *db, const char *script, struct db_error *e)
{
	PGresult	*res;

	/* Compiled-in SQL only: several statements need the simple protocol. */
	res = PQexec(db->conn, script);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK) {
			PQclear(res);
			return 0;
		}
		db_result_error(db, res, e);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

int
db_begin(struct db *db, struct db_error *e)
{
	return db_exec(db, "BEGIN", 0, NULL, e) < 0 ? -1 : 0;
}

int
db_commit(struct db *db, struct db_error *e)
{
	return db_exec(db, "COMMIT", 0, NULL, e) < 0 ? -1 : 0;
}

int
db_rollback(struct db *db, struct db_error *e)
{
	return db_exec(db, "ROLLBACK", 0, NULL, e) < 0 ? -1 : 0;
}

char *
db_quote_ident(struct db *db, const char *ident)
{
	char	*q, *s;

	if ((q = PQescapeIdentifier(db->conn, ident, strlen(ident))) == NULL)
		return NULL;
	s = xstrdup(q);
	PQfreemem(q);
	return s;
}

char *
db_text_array(const char *const *v, size_t n)
{
	struct strbuf	 sb = STRBUF_INIT;
	const char	*p;
	size_t		 i;

	strbuf_addc(&sb, '{');
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_addc(&sb, ',');
		strbuf_addc(&sb, '"');
		for (p = v[i]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				strbuf_addc(&sb, '\\');
			strbuf_addc(&sb, *p);
		}
		strbuf_addc(&sb, '"');
	}
	strbuf_addc(&sb, '}');
	return strbuf_detach(&sb);
}

int
db_rows(const struct db_result *r)
{
	return PQntuples(r->res);
}

int
db_cols(const struct db_result *r)
{
	return PQnfields(r->res);
}

const char *
db_value(const struct db_result *r, int row, int col)
{
	if (row < 0 || row >= PQntuples(r->res) || col < 0 ||
	    col >= PQnfields(r->res) || PQgetisnull(r->res, row, col))
		return NULL;
	return PQgetvalue(r->res, row, col);
}

const char *
db_col(const struct db_result *r, int row, const char *name)
{
	return db_value(r, row, db_colnum(r, name));
}

long long
db_int(const struct db_result *r, int row, int col, long long dflt)
{
	const char	*v, *errstr;
	long long	 n;

	if ((v = db_value(r, row, col)) == NULL)
		return dflt;
	n = strtonum(v, LLONG_MIN, LLONG_MAX, &errstr);
	return errstr == NULL ? n : dflt;
}

int
db_colnum(const struct db_result *r, const char *name)
{
	return PQfnumber(r->res, name);
}

void
db_result_free(struct db_result *r)
{
	if (r == NULL)
		return;
	PQclear(r->res);
	free(r);
}

unsigned
db_session(const struct db *db)
{
	return db->session;
}

int
db_listen(struct db *db, const char *channel, struct db_error *e)
{
	char	*quoted, *sql;
	long	 n;

	/* LISTEN takes no parameters: the channel as a quoted identifier. */
	if ((quoted = db_quote_ident(db, channel)) == NULL) {
		db_error_set(e, DB_ERR_QUERY, NULL, PQerrorMessage(db->conn));
		return -1;
	}
	sql = xasprintf("LISTEN %s", quoted);
	n = db_exec(db, sql, 0, NULL, e);
	free(sql);
	free(quoted);
	return n < 0 ? -1 : 0;
}

/* Take one notification libpq has read, if any: 1 with *payload set. */
static int
db_take_notify(struct db *db, char **payload)
{
	PGnotify	*n;

	if ((n = PQnotifies(db->conn)) == NULL)
		return 0;
	if (payload != NULL)
		*payload = xstrdup(n->extra);
	PQfreemem(n);
	return 1;
}

enum db_wait
db_wait_notify(struct db *db, long timeout_ms, const sigset_t *sigmask,
    char **payload, struct db_error *e)
{
	struct pollfd	 pfd;
	struct timespec	 ts;
	int64_t		 deadline = db_now_ms() + timeout_ms, left;
	int		 rc;

	if (payload != NULL)
		*payload = NULL;
	if (db->broken) {
		db_error_set(e, DB_ERR_LOST, NULL, "connection unusable");
		return DB_WAIT_LOST;
	}
	/* Some may have come with the results of earlier statements. */
	if (db_take_notify(db, payload))
		return DB_WAIT_NOTIFY;
	for (;;) {
		if ((left = deadline - db_now_ms()) < 0)
			left = 0;
		pfd.fd = PQsocket(db->conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (pfd.fd < 0)
			break;
		ts.tv_sec = (time_t)(left / 1000);
		ts.tv_nsec = (long)(left % 1000) * 1000000L;
		/* The signals sigmask lets through end the wait (atomically:
		 * none is lost between a check of the caller's and the wait). */
		rc = ppoll(&pfd, 1, &ts, sigmask);
		if (rc == -1 && errno == EINTR)
			return DB_WAIT_INTR;
		if (rc == -1)
			break;
		/* Readable also when the server went away: libpq says. */
		if (rc > 0 && !PQconsumeInput(db->conn))
			break;
		if (db_take_notify(db, payload))
			return DB_WAIT_NOTIFY;
		if (PQstatus(db->conn) != CONNECTION_OK)
			break;
		if (rc == 0 && left == 0)
			return DB_WAIT_TIMEOUT;
	}
	db->broken = true;
	db_error_set(e, DB_ERR_LOST, NULL, PQerrorMessage(db->conn));
	return DB_WAIT_LOST;
}
