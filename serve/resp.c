/* resp.c: the responses handlers build: JSON, {"error": ...}, text, extra
 * headers, and the status of a failed statement. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db.h"
#include "serve.h"
#include "xmalloc.h"

void
serve_json(struct serve_resp *rs, int status, char *json)
{
	free(rs->body);
	rs->status = status;
	rs->type = NULL;
	rs->body = json != NULL ? json : xstrdup("null\n");
	rs->len = strlen(rs->body);
}

void
serve_error(struct serve_resp *rs, int status, const char *fmt, ...)
{
	va_list	 ap;
	json_t	*o;
	char	*msg, *nl, *j = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	/* One line: a database message may have several. */
	if (msg != NULL && (nl = strchr(msg, '\n')) != NULL)
		*nl = '\0';
	o = json_pack("{s:s}", "error", msg != NULL ? msg : "out of memory");
	free(msg);
	if (o != NULL)
		j = json_dumps(o, JSON_COMPACT);
	serve_json(rs, status, xasprintf("%s\n", j != NULL ? j : "{}"));
	free(j);
	json_decref(o);
}

void
serve_text(struct serve_resp *rs, int status, const char *type,
    const char *text, size_t len)
{
	free(rs->body);
	rs->status = status;
	rs->type = type;
	rs->body = xmalloc(len + 1);
	memcpy(rs->body, text, len);
	rs->body[len] = '\0';
	rs->len = len;
}

void
serve_header_add(struct serve_resp *rs, const char *name, const char *value)
{
	if (rs->nhdr == SERVE_MAXHDR)
		return;
	rs->hdr[rs->nhdr] = name;
	rs->val[rs->nhdr++] = xstrdup(value);
}

int
serve_db_status(const struct db_error *e)
{
	const char	*s = e->sqlstate;

	if (e->kind == DB_ERR_CONNECT || e->kind == DB_ERR_LOST ||
	    e->kind == DB_ERR_AUTH || db_sqlstate_lost(s))
		return 503;
	/* Unknown job, dataset, run or token; no job with these tags. */
	if (strcmp(s, "DF001") == 0 || strcmp(s, "DF005") == 0 ||
	    strcmp(s, "P0002") == 0)
		return 404;
	/* What is there refuses: a name taken, a serialization failure,
	 * a lock, a dataset that cannot be so, several jobs matched. */
	if (strncmp(s, "23", 2) == 0 || strncmp(s, "40", 2) == 0 ||
	    strncmp(s, "55", 2) == 0 || strcmp(s, "DF003") == 0 ||
	    strcmp(s, "DF004") == 0 || strcmp(s, "DF006") == 0)
		return 409;
	if (strncmp(s, "22", 2) == 0 || strcmp(s, "P0001") == 0 ||
	    strncmp(s, "DF", 2) == 0)
		return 400;
	/* The server's role may not do this (config apply, say). */
	if (strcmp(s, "42501") == 0)
		return 403;
	/* A statement_timeout: the database is too slow to answer now. */
	if (strcmp(s, "57014") == 0)
		return 503;
	return 500;
}

void
serve_db_error(struct serve_resp *rs, const struct db_error *e)
{
	int	 status = serve_db_status(e);
	const char *msg = e->message != NULL ? e->message : "error";

	if (status == 503 && strcmp(e->sqlstate, "57014") == 0)
		serve_error(rs, status, "the database did not answer in time: "
		    "%s", msg);
	else if (status == 503)
		serve_error(rs, status, "the database is unreachable: %s", msg);
	else
		serve_error(rs, status, "%s", msg);
}
