/* api_runs.c: GET /api/v1/runs, a run, the workers and the audit trail:
 * the documents of lib/listing.c, as the commands print them. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "listing.h"

/* Return the path parameter 0 of rq as a positive id, or 0 after
 * answering 404 (no such what). */
static long long
api_arg_num(const struct serve_req *rq, struct serve_resp *rs,
    const char *what)
{
	const char	*errstr;
	long long	 id;

	id = rq->narg > 0 ? strtonum(rq->arg[0], 1, LLONG_MAX, &errstr) : 0;
	if (id == 0)
		serve_error(rs, 404, "unknown %s %.32s", what,
		    rq->narg > 0 ? rq->arg[0] : "");
	return id;
}

void
api_runs(const struct serve_req *rq, struct serve_resp *rs)
{
	struct listing_runs	 f;
	struct db_error		 e = { 0 };
	const char		*status = serve_query(rq, "status");
	char			*json = NULL;
	bool			 bad = false;
	int			 rc;

	memset(&f, 0, sizeof(f));
	f.jobid = api_query_id(rq, rs, "job", true, &bad);
	if (!bad)
		f.dataid = api_query_id(rq, rs, "dataid", false, &bad);
	if (bad || api_query_limit(rq, rs, &f.limit) == -1)
		return;
	f.label = serve_query(rq, "label");
	if (status != NULL && strcmp(status, "failed") != 0) {
		serve_error(rs, 400, "status: \"%.32s\": only \"failed\" "
		    "(FAILED, TIMEOUT, CANCELLED, ABANDONED) is a filter",
		    status);
		return;
	}
	f.failed = status != NULL;
	f.cursor = serve_query(rq, "cursor");
	f.page = true;
	rc = listing_runs_json(rq->db, &f, &json, &e);
	api_listing(rs, rc, json, &e);
}

/* One document by the numeric id in the path ("run", "worker"), from
 * the listing show that the CLI's "show ID" prints. */
static void
api_by_id(const struct serve_req *rq, struct serve_resp *rs,
    const char *what, int (*show)(struct db *, long long, char **,
    struct db_error *))
{
	struct db_error	 e = { 0 };
	char		*json = NULL;
	long long	 id;
	int		 rc;

	if ((id = api_arg_num(rq, rs, what)) == 0)
		return;
	rc = show(rq->db, id, &json, &e);
	api_listing(rs, rc, json, &e);
}

void
api_run(const struct serve_req *rq, struct serve_resp *rs)
{
	api_by_id(rq, rs, "run", listing_show_json);
}

void
api_workers(const struct serve_req *rq, struct serve_resp *rs)
{
	struct db_error	 e = { 0 };
	char		*json = NULL;
	int		 rc;

	if (serve_query(rq, "hosts") != NULL)
		rc = listing_workers_json(rq->db, &json, &e);
	else
		rc = listing_worker_list_json(rq->db, &json, &e);
	api_listing(rs, rc, json, &e);
}

void
api_worker(const struct serve_req *rq, struct serve_resp *rs)
{
	api_by_id(rq, rs, "worker", listing_worker_show_json);
}

void
api_audit(const struct serve_req *rq, struct serve_resp *rs)
{
	struct listing_audit	 f;
	struct db_error		 e = { 0 };
	char			*json = NULL;
	bool			 bad = false;
	int			 rc;

	memset(&f, 0, sizeof(f));
	f.jobid = api_query_id(rq, rs, "job", true, &bad);
	if (!bad)
		f.datasetid = api_query_id(rq, rs, "dataset", true, &bad);
	if (!bad)
		f.dataid = api_query_id(rq, rs, "dataid", false, &bad);
	if (bad || api_query_limit(rq, rs, &f.limit) == -1)
		return;
	f.action = serve_query(rq, "action");
	f.cursor = serve_query(rq, "cursor");
	f.page = true;
	rc = listing_audit_json(rq->db, &f, &json, &e);
	api_listing(rs, rc, json, &e);
}
