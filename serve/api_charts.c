/* api_charts.c: GET /api/v1/timeline and /api/v1/backlog, the runs and
 * the backlogs of the last hours that the console draws (SPEC 9). */
#include <stdlib.h>

#include "api.h"
#include "db.h"
#include "listing.h"

#define API_HOURS	6	/* the window when hours= is absent */
#define API_HOURS_MAX	168	/* a week: the most one may ask for */
#define API_RUNS	2000	/* runs on a timeline when limit= is absent */
#define API_POINTS	48	/* a backlog's intervals when points= is absent */
#define API_POINTS_MAX	1000

/*
 * Set *v to the query parameter name of rq, def when absent: return 0, or
 * answer 400 and return -1 when it is not 1..max.
 */
static int
api_query_num(const struct serve_req *rq, struct serve_resp *rs,
    const char *name, int def, int max, int *v)
{
	const char	*s = serve_query(rq, name), *errstr;

	*v = def;
	if (s == NULL)
		return 0;
	*v = (int)strtonum(s, 1, max, &errstr);
	if (errstr == NULL)
		return 0;
	serve_error(rs, 400, "%s: \"%.32s\" is %s (1 to %d)", name, s,
	    errstr, max);
	return -1;
}

void
api_timeline(const struct serve_req *rq, struct serve_resp *rs)
{
	struct db_error	 e = { 0 };
	char		*json = NULL;
	int		 hours, limit;
	int		 rc;

	if (api_query_num(rq, rs, "hours", API_HOURS, API_HOURS_MAX,
	    &hours) == -1 || api_query_num(rq, rs, "limit", API_RUNS,
	    API_LIMIT_MAX, &limit) == -1)
		return;
	rc = listing_timeline_json(rq->db, hours, limit, &json, &e);
	api_listing(rs, rc, json, &e);
}

void
api_backlog(const struct serve_req *rq, struct serve_resp *rs)
{
	struct db_error	 e = { 0 };
	const char	*jobid;
	char		*json = NULL;
	bool		 bad = false;
	int		 hours, points;
	int		 rc;

	/* Every job's at once would cost seconds at scale: one job's. */
	if ((jobid = api_query_id(rq, rs, "job", true, &bad)) == NULL &&
	    !bad) {
		serve_error(rs, 400, "job: required (the backlog of one job)");
		return;
	}
	if (bad || api_query_num(rq, rs, "hours", API_HOURS, API_HOURS_MAX,
	    &hours) == -1 || api_query_num(rq, rs, "points", API_POINTS,
	    API_POINTS_MAX, &points) == -1)
		return;
	rc = listing_backlog_json(rq->db, jobid, hours, points, &json, &e);
	api_listing(rs, rc, json, &e);
}
