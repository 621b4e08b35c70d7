/* serve.h: what the HTTP server's handlers see (dataflow serve, SPEC 9):
 * the request, the response, the route table and the error helpers. */
#ifndef DF_SERVE_H
#define DF_SERVE_H

#include <stdbool.h>
#include <stddef.h>

struct db;
struct db_error;

/* Who the caller is, least to most; a route names the least it allows. */
enum serve_role {
	SERVE_ROLE_NONE,	/* anyone: /healthz, the OpenAPI file */
	SERVE_ROLE_SESSION,	/* anyone with a live session (the console) */
	SERVE_ROLE_VIEWER,	/* a viewer token or its session */
	SERVE_ROLE_OPERATOR	/* an operator token or its session */
};

#define SERVE_MAXARG	4	/* path parameters of a pattern */

struct serve_req {
	const char	*method;	/* "GET", "POST", "DELETE" */
	const char	*path;		/* as received, before the query */
	const char	*arg[SERVE_MAXARG]; /* path parameters in pattern
					   order ({job}, {id}, {ds}),
					   percent-decoded, valid UTF-8,
					   free of '/' and NUL */
	size_t		 narg;
	const char	*body;		/* NUL-terminated copy, NULL when
					   none */
	size_t		 bodylen;
	const char	*who;		/* audit name "api:TOKENNAME" (the
					   p_who of the df_* mutations), NULL
					   for an anonymous caller */
	const char	*token;		/* the caller's token name, or NULL */
	enum serve_role	 role;		/* of the caller */
	bool		 session;	/* authenticated by a session cookie */
	bool		 secure;	/* TLS, or --behind-proxy (cookies get
					   Secure) */
	struct db	*db;		/* this thread's connection, connected
					   (NULL on routes of role NONE: use
					   serve_db) */
	void		*impl;		/* http.c's private per-request state */
};

/* Return the (percent-decoded) query parameter name of rq, owned by the
 * request, or NULL when absent. */
const char	*serve_query(const struct serve_req *rq, const char *name);
/* Return the request header name of rq, owned by the request, or NULL. */
const char	*serve_header(const struct serve_req *rq, const char *name);
/* Return the value of the request's cookie name, owned by the request, or
 * NULL. */
const char	*serve_cookie(const struct serve_req *rq, const char *name);
/*
 * Return this thread's connection, (re)connecting it when needed, or NULL
 * with *e filled (the caller answers 503: serve_db_error). Owned by the
 * thread.
 */
struct db	*serve_db(const struct serve_req *rq, struct db_error *e);

#define SERVE_MAXHDR	8	/* extra response headers */

struct serve_resp {
	int		 status;	/* HTTP status */
	const char	*type;		/* Content-Type, NULL: application/json */
	char		*body;		/* malloc'd, owned by the response */
	size_t		 len;
	const char	*hdr[SERVE_MAXHDR];	/* extra header names (static) */
	char		*val[SERVE_MAXHDR];	/* their values, malloc'd, owned */
	size_t		 nhdr;
};

typedef void	serve_handler(const struct serve_req *, struct serve_resp *);

struct serve_route {
	const char	*method;	/* NULL ends the table */
	const char	*pattern;	/* "/api/v1/jobs/{job}/partitions" */
	enum serve_role	 role;		/* least role allowed */
	bool		 mutates;	/* refused by --read-only (403); with a
					   session it needs X-CSRF-Token */
	serve_handler	*fn;
};

/* The route table, serve/routes.c; ends with a NULL method. */
extern const struct serve_route serve_routes[];

/* Answer status with the JSON text json (taken: freed with the response). */
void	serve_json(struct serve_resp *rs, int status, char *json);
/* Answer status with {"error": "the formatted one line"}. */
void	serve_error(struct serve_resp *rs, int status, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 3, 4)));
/* Answer status with the text body (copied) of Content-Type type
 * (static). */
void	serve_text(struct serve_resp *rs, int status, const char *type,
	    const char *text, size_t len);
/* Add the response header name (static) with a copy of value. */
void	serve_header_add(struct serve_resp *rs, const char *name,
	    const char *value);
/*
 * Return the HTTP status a failed statement maps to: 503 when the
 * database is unreachable or the connection was lost, 404 for an unknown
 * object (SQLSTATE P0002, no_data_found), 409 for a conflict (class 23,
 * 40, 55), 403 for a missing privilege (42501), 400 for other bad input
 * (22, P0001 raise_exception), else 500.
 */
int	serve_db_status(const struct db_error *e);
/* Answer a failed statement: serve_db_status's status and the error's
 * message ("the database is unreachable: ..." for a 503). */
void	serve_db_error(struct serve_resp *rs, const struct db_error *e);

/* The handlers of serve/api_base.c. */
serve_handler	api_healthz;
serve_handler	api_status;
serve_handler	api_metrics;
serve_handler	api_openapi;
/* The session handlers of serve/auth.c (the console's sign-in). */
serve_handler	auth_session_start;
serve_handler	auth_session_get;
serve_handler	auth_session_end;

#endif
