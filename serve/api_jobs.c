/* api_jobs.c: GET /api/v1/jobs/{job}, its partitions, explain and the
 * graph: the documents of lib/listing.c, as the commands print them. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "catalog.h"
#include "config.h"
#include "db.h"
#include "layout.h"
#include "listing.h"

#define API_EXPLAIN_LIMIT	10	/* partitions explained, as the CLI */
#define API_GRAPH_LAG		86400	/* "lagging" after, as the CLI */

/* The states a partition may be shown in (the grid's). */
static const char *const api_states[] = {
	"waiting", "ready", "retrying", "skipped", "running", "succeeded",
	"failed", NULL
};

/* The job's configuration, as "dataflow export" renders it (secrets
 * masked), or NULL when it is not there (removed since). */
static json_t *
api_job_config(struct db *db, const char *jobid, struct db_error *e,
    int *rc)
{
	struct config	*c = NULL;
	json_t		*doc, *job = NULL;

	if ((*rc = catalog_load_public(db, &c, e)) == -1)
		return NULL;
	if ((doc = config_to_json(c)) != NULL) {
		job = json_object_get(json_object_get(doc, "jobs"), jobid);
		json_incref(job);
		json_decref(doc);
	}
	config_free(c);
	return job;
}

void
api_job(const struct serve_req *rq, struct serve_resp *rs)
{
	struct db_error	 e = { 0 };
	const char	*jobid;
	char		*status = NULL;
	json_t		*job, *st, *o;
	int		 rc;

	if ((jobid = api_arg_id(rq, rs, 0, "job")) == NULL)
		return;
	if (listing_status_json(rq->db, jobid, &status, &e) == -1) {
		api_listing(rs, -1, NULL, &e);
		return;
	}
	st = listing_json_value(status);
	free(status);
	job = api_job_config(rq->db, jobid, &e, &rc);
	if (rc == -1) {
		json_decref(st);
		api_listing(rs, -1, NULL, &e);
		return;
	}
	o = json_object();
	json_object_set_new(o, "jobid", json_string(jobid));
	json_object_set_new(o, "config", job != NULL ? job : json_null());
	json_object_set(o, "status", json_array_get(json_object_get(st,
	    "jobs"), 0));
	json_decref(st);
	api_send(rs, 200, o);
}

void
api_partitions(const struct serve_req *rq, struct serve_resp *rs)
{
	struct listing_partitions	 f;
	struct db_error			 e = { 0 };
	char				*json = NULL;
	size_t				 i;
	bool				 bad = false;
	int				 rc;

	memset(&f, 0, sizeof(f));
	if ((f.jobid = api_arg_id(rq, rs, 0, "job")) == NULL)
		return;
	f.from = api_query_id(rq, rs, "from", false, &bad);
	if (!bad)
		f.to = api_query_id(rq, rs, "to", false, &bad);
	if (bad || api_query_limit(rq, rs, &f.limit) == -1)
		return;
	if ((f.state = serve_query(rq, "state")) != NULL) {
		for (i = 0; api_states[i] != NULL; i++)
			if (strcmp(api_states[i], f.state) == 0)
				break;
		if (api_states[i] == NULL) {
			serve_error(rs, 400, "state: \"%.32s\" is none of "
			    "waiting, ready, retrying, skipped, running, "
			    "succeeded, failed", f.state);
			return;
		}
	}
	f.cursor = serve_query(rq, "cursor");
	f.page = true;
	rc = listing_partitions_json(rq->db, &f, &json, &e);
	api_listing(rs, rc, json, &e);
}

void
api_explain(const struct serve_req *rq, struct serve_resp *rs)
{
	struct db_error	 e = { 0 };
	const char	*jobid, *dataid;
	char		*json = NULL;
	long		 limit;
	bool		 bad = false;
	int		 rc;

	if ((jobid = api_arg_id(rq, rs, 0, "job")) == NULL)
		return;
	dataid = api_query_id(rq, rs, "dataid", false, &bad);
	if (bad || api_query_limit(rq, rs, &limit) == -1)
		return;
	if (serve_query(rq, "limit") == NULL)
		limit = API_EXPLAIN_LIMIT;
	rc = listing_explain_json(rq->db, jobid, dataid, limit, &json, &e);
	api_listing(rs, rc, json, &e);
}

void
api_graph(const struct serve_req *rq, struct serve_resp *rs)
{
	struct db_error	 e = { 0 };
	const char	*jobid, *format = serve_query(rq, "format");
	char		*json = NULL;
	bool		 bad = false;
	int		 rc;

	jobid = api_query_id(rq, rs, "job", true, &bad);
	if (bad)
		return;
	if (format != NULL && strcmp(format, "layout") == 0) {
		layout_answer(rq, rs, jobid);
		return;
	}
	if (format != NULL && strcmp(format, "json") != 0) {
		serve_error(rs, 400, "format: \"%.32s\": json or layout "
		    "(dataflow graph --format svg renders pictures)", format);
		return;
	}
	rc = listing_graph_json(rq->db, jobid, API_GRAPH_LAG, &json, &e);
	api_listing(rs, rc, json, &e);
}
