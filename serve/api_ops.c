/* api_ops.c: the API's changes: POST ready, resubmit, pause, resume and
 * trigger, through lib/ops.c and lib/trigger.c as the commands make them,
 * audited with the caller's token name. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "body.h"
#include "db.h"
#include "ops.h"
#include "trigger.h"
#include "xmalloc.h"

/* Translate rq's body of kind into *a: 0, or -1 after answering 400. */
static int
api_body(const struct serve_req *rq, struct serve_resp *rs,
    enum body_kind kind, struct body_args *a)
{
	char	*err = NULL;

	if (body_parse(kind, rq->body, rq->bodylen, NULL, a, &err) == 0)
		return 0;
	serve_error(rs, 400, "%s", err);
	free(err);
	body_args_clear(a);
	return -1;
}

void
api_ready(const struct serve_req *rq, struct serve_resp *rs)
{
	struct body_args	 a;
	struct db_error		 e = { 0 };
	const char		*ds;
	json_t			*doc;
	long			 changed;

	if ((ds = api_arg_id(rq, rs, 0, "dataset")) == NULL ||
	    api_body(rq, rs, BODY_READY, &a) == -1)
		return;
	if (ops_ready(rq->db, ds, a.ids, a.nids, a.reason, rq->who, &changed,
	    &doc, &e) == -1)
		api_listing(rs, -1, NULL, &e);
	else
		api_send(rs, 200, doc);
	body_args_clear(&a);
}

void
api_resubmit(const struct serve_req *rq, struct serve_resp *rs)
{
	struct ops_resubmit	 o;
	struct body_args	 a;
	struct db_error		 e = { 0 };
	struct db_result	*r;

	memset(&o, 0, sizeof(o));
	if ((o.jobid = api_arg_id(rq, rs, 0, "job")) == NULL ||
	    api_body(rq, rs, BODY_RESUBMIT, &a) == -1)
		return;
	o.ids = a.ids;
	o.nids = a.nids;
	o.failed = a.failed;
	o.downstream = a.downstream;
	o.dry_run = a.dry_run;
	o.reason = a.reason;
	o.who = rq->who;
	if (ops_resubmit(rq->db, &o, &r, &e) == -1)
		api_listing(rs, -1, NULL, &e);
	else {
		api_send(rs, 200, ops_resubmit_json(r, &o));
		db_result_free(r);
	}
	body_args_clear(&a);
}

/* pause and resume: the same but for the flag. */
static void
api_set_paused(const struct serve_req *rq, struct serve_resp *rs,
    bool pause)
{
	struct body_args	 a;
	struct db_error		 e = { 0 };
	const char		*jobid;
	json_t			*doc;
	bool			 changed;

	if ((jobid = api_arg_id(rq, rs, 0, "job")) == NULL ||
	    api_body(rq, rs, BODY_PAUSE, &a) == -1)
		return;
	if (ops_pause(rq->db, jobid, pause, a.reason, rq->who, &changed,
	    &doc, &e) == -1)
		api_listing(rs, -1, NULL, &e);
	else
		api_send(rs, 200, doc);
	body_args_clear(&a);
}

void
api_pause(const struct serve_req *rq, struct serve_resp *rs)
{
	api_set_paused(rq, rs, true);
}

void
api_resume(const struct serve_req *rq, struct serve_resp *rs)
{
	api_set_paused(rq, rs, false);
}

/* Return s percent-encoded for a URL's query (a dataid: "+", "=", "@"
 * and "," are encoded); caller frees. */
static char *
api_url_escape(const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			*out = xcalloc(strlen(s) * 3 + 1, 1), *p = out;

	for (; *s != '\0'; s++) {
		if (strchr("+=@,", *s) == NULL) {
			*p++ = *s;
			continue;
		}
		*p++ = '%';
		*p++ = hex[(unsigned char)*s >> 4];
		*p++ = hex[(unsigned char)*s & 15];
	}
	return out;
}

/* The partitions a trigger made, each with the URL to poll: its
 * partition in GET /api/v1/jobs/{job}/partitions. */
static json_t *
api_trigger_doc(const struct trigger_result *res)
{
	json_t	*a = trigger_result_json(res), *o;
	char	*url, *id;
	size_t	 i;

	json_array_foreach(a, i, o) {
		id = api_url_escape(res->parts[i].dataid);
		url = xasprintf("/api/v1/jobs/%s/partitions?from=%s&to=%s",
		    res->parts[i].jobid, id, id);
		json_object_set_new(o, "url", json_string(url));
		free(url);
		free(id);
	}
	return json_pack("{s:o}", "partitions", a);
}

/* Trigger t's job with a's items: 202 with the partitions. */
static void
api_trigger_make(const struct serve_req *rq, struct serve_resp *rs,
    const struct trigger_target *t, const struct body_args *a)
{
	struct trigger_result	 res = { NULL, 0 };
	struct db_error		 e = { 0 };

	if (trigger_make(rq->db, t, a->items, a->label, rq->who, &res,
	    &e) == -1)
		api_listing(rs, -1, NULL, &e);
	else
		api_send(rs, 202, api_trigger_doc(&res));
	trigger_result_clear(&res);
}

void
api_trigger(const struct serve_req *rq, struct serve_resp *rs)
{
	struct trigger_target	 t = { NULL, NULL, 0 };
	struct body_args	 a;

	if ((t.jobid = api_arg_id(rq, rs, 0, "job")) == NULL ||
	    api_body(rq, rs, BODY_TRIGGER, &a) == -1)
		return;
	api_trigger_make(rq, rs, &t, &a);
	body_args_clear(&a);
}

void
api_trigger_match(const struct serve_req *rq, struct serve_resp *rs)
{
	struct trigger_target	 t = { NULL, NULL, 0 };
	struct body_args	 a;

	if (api_body(rq, rs, BODY_TRIGGER_MATCH, &a) == -1)
		return;
	t.tags = a.tags;
	t.ntags = a.ntags;
	api_trigger_make(rq, rs, &t, &a);
	body_args_clear(&a);
}
