/* api.h: the endpoints of SPEC 9's table in serve/api_*.c (all but
 * serve/api_base.c's and the console's) and what their handlers share. */
#ifndef DF_SERVE_API_H
#define DF_SERVE_API_H

#include <stdbool.h>

#include "serve.h"

struct db_error;
struct json_t;

#define API_LIMIT	100	/* entries of a page when limit= is absent */
#define API_LIMIT_MAX	10000	/* the most one page may ask for */

/* serve/api_jobs.c: a job, its partitions, explain, the graph. */
serve_handler	api_job;
serve_handler	api_partitions;
serve_handler	api_explain;
serve_handler	api_graph;
/* serve/api_runs.c: runs, workers, the audit trail. */
serve_handler	api_runs;
serve_handler	api_run;
serve_handler	api_workers;
serve_handler	api_worker;
serve_handler	api_audit;
/* serve/api_charts.c: the console's timeline and backlogs. */
serve_handler	api_timeline;
serve_handler	api_backlog;
/* serve/api_config.c: the configuration: export, validate, plan, apply. */
serve_handler	api_config;
serve_handler	api_config_validate;
serve_handler	api_config_plan;
serve_handler	api_config_apply;
/* serve/api_ops.c: ready, resubmit, pause, resume, trigger. */
serve_handler	api_ready;
serve_handler	api_resubmit;
serve_handler	api_pause;
serve_handler	api_resume;
serve_handler	api_trigger;
serve_handler	api_trigger_match;

/*
 * Answer a listing's document (lib/listing.h): 200 with json (taken) when
 * rc is 0, else the error in *e (cleared).
 */
void	api_listing(struct serve_resp *rs, int rc, char *json,
	    struct db_error *e);
/* Answer status with o (taken), encoded as the listings print theirs. */
void	api_send(struct serve_resp *rs, int status, struct json_t *o);
/*
 * Return the query parameter name of rq, or NULL when absent; answer 400
 * and set *bad when present but not an identifier (ident) or a dataid
 * (!ident).
 */
const char *api_query_id(const struct serve_req *rq, struct serve_resp *rs,
	    const char *name, bool ident, bool *bad);
/*
 * Set *limit to the query parameter "limit" of rq (API_LIMIT when absent):
 * return 0, or answer 400 and return -1 when it is not 1..API_LIMIT_MAX.
 */
int	api_query_limit(const struct serve_req *rq, struct serve_resp *rs,
	    long *limit);
/*
 * Return path parameter i of rq when it is a valid identifier; else
 * answer 400 naming what (a job, a dataset) and return NULL.
 */
const char *api_arg_id(const struct serve_req *rq, struct serve_resp *rs,
	    int i, const char *what);

#endif
