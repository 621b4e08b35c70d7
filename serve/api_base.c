/* api_base.c: the server's own endpoints: /healthz, /api/v1/status,
 * /metrics and /api/v1/openapi.yaml. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "listing.h"
#include "serve.h"
#include "xmalloc.h"

#define API_HEALTH_MS		2000	/* /healthz waits no longer */
#define API_METRICS_WINDOW	86400	/* as "dataflow metrics" */

/* docs/openapi.yaml, compiled in (build-aux/file2c). */
extern const char serve_openapi_yaml[];
extern const size_t serve_openapi_yaml_len;

void
api_healthz(const struct serve_req *rq, struct serve_resp *rs)
{
	struct db_error		 e = { 0 };
	struct db_result	*r = NULL;
	struct db		*db;
	int			 tries;

	/* A connection lost since its last use is made again, once. */
	for (tries = 0; tries < 2 && r == NULL; tries++) {
		db_error_clear(&e);
		if ((db = serve_db(rq, &e)) == NULL)
			break;
		r = db_query_timeout(db, "SELECT 1", 0, NULL, API_HEALTH_MS,
		    &e);
		if (r == NULL && e.kind != DB_ERR_LOST)
			break;
	}
	if (r == NULL) {
		/* Whatever the cause, the database does not answer. */
		serve_error(rs, 503, "the database is unreachable: %s",
		    e.message != NULL ? e.message : "no answer");
	} else
		serve_json(rs, 200, xstrdup("{\"status\": \"ok\"}\n"));
	db_result_free(r);
	db_error_clear(&e);
}

void
api_status(const struct serve_req *rq, struct serve_resp *rs)
{
	struct db_error	 e = { 0 };
	char		*json = NULL;

	if (listing_status_json(rq->db, serve_query(rq, "job"), &json,
	    &e) == -1)
		serve_db_error(rs, &e);
	else
		serve_json(rs, 200, json);
	db_error_clear(&e);
}

void
api_metrics(const struct serve_req *rq, struct serve_resp *rs)
{
	struct db_error	 e = { 0 };
	char		*text = NULL;

	if (listing_metrics_text(rq->db, API_METRICS_WINDOW, &text,
	    &e) == -1)
		serve_db_error(rs, &e);
	else {
		serve_json(rs, 200, text);
		rs->type = "text/plain; version=0.0.4; charset=utf-8";
	}
	db_error_clear(&e);
}

void
api_openapi(const struct serve_req *rq, struct serve_resp *rs)
{
	(void)rq;
	serve_text(rs, 200, "application/yaml", serve_openapi_yaml,
	    serve_openapi_yaml_len);
}
