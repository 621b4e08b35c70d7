/* api_util.c: what the API's handlers share: answering a document, and
 * the checks of path and query parameters. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "db.h"
#include "ids.h"
#include "listing.h"

void
api_listing(struct serve_resp *rs, int rc, char *json, struct db_error *e)
{
	if (rc == 0 && json != NULL)
		serve_json(rs, 200, json);
	else {
		free(json);
		serve_db_error(rs, e);
	}
	db_error_clear(e);
}

void
api_send(struct serve_resp *rs, int status, json_t *o)
{
	char	*text = o != NULL ? listing_json_text(o) : NULL;

	json_decref(o);
	if (text == NULL)
		serve_error(rs, 500, "could not encode the JSON document");
	else
		serve_json(rs, status, text);
}

const char *
api_query_id(const struct serve_req *rq, struct serve_resp *rs,
    const char *name, bool ident, bool *bad)
{
	const char	*v = serve_query(rq, name);

	if (v == NULL || (ident ? ident_valid(v) : dataid_valid(v)))
		return v;
	serve_error(rs, 400, "%s: \"%.64s\" is not a valid %s", name, v,
	    ident ? "id" : "dataid");
	*bad = true;
	return NULL;
}

int
api_query_limit(const struct serve_req *rq, struct serve_resp *rs,
    long *limit)
{
	const char	*v = serve_query(rq, "limit"), *errstr;

	*limit = API_LIMIT;
	if (v == NULL)
		return 0;
	*limit = (long)strtonum(v, 1, API_LIMIT_MAX, &errstr);
	if (errstr == NULL)
		return 0;
	serve_error(rs, 400, "limit: \"%.32s\" is %s (1 to %d)", v, errstr,
	    API_LIMIT_MAX);
	return -1;
}

const char *
api_arg_id(const struct serve_req *rq, struct serve_resp *rs, int i,
    const char *what)
{
	const char	*v = (size_t)i < rq->narg ? rq->arg[i] : NULL;

	if (v != NULL && ident_valid(v))
		return v;
	serve_error(rs, 400, "\"%.64s\" is not a valid %s id",
	    v != NULL ? v : "", what);
	return NULL;
}
