/*
 * api_config.c: the configuration: GET /api/v1/config (export, secrets
 * masked), POST validate, plan and apply of a configuration in the body.
 * Plan and apply read and write the catalog as "dataflow apply" does
 * (lib/ops.c): they need the schema owner's connection, which the
 * server's own role is not (see api_config_owner).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "catalog.h"
#include "config.h"
#include "db.h"
#include "diag.h"
#include "ops.h"

void
api_config(const struct serve_req *rq, struct serve_resp *rs)
{
	struct db_error	 e = { 0 };
	struct config	*c = NULL;

	if (catalog_load_public(rq->db, &c, &e) == -1)
		api_listing(rs, -1, NULL, &e);
	else
		api_send(rs, 200, config_to_json(c));
	config_free(c);
}

/* Load and check the configuration in rq's body; NULL with *d filled. */
static struct config *
api_config_body(const struct serve_req *rq, struct diag *d)
{
	if (rq->body == NULL) {
		diag_add(d, "the body must be a configuration (JSON)");
		return NULL;
	}
	return ops_config_load(rq->body, "body", NULL, d);
}

/* Answer 400 with the first problem of d, and all of them in "errors". */
static void
api_config_refused(struct serve_resp *rs, const struct diag *d)
{
	json_t	*o = ops_config_errors_json(d);

	json_object_del(o, "valid");
	json_object_set_new(o, "error", json_string(d->n > 0 ? d->msgs[0] :
	    "invalid configuration"));
	api_send(rs, 400, o);
}

void
api_config_validate(const struct serve_req *rq, struct serve_resp *rs)
{
	struct diag	 d = { NULL, 0 };
	struct config	*c;

	if ((c = api_config_body(rq, &d)) != NULL)
		api_send(rs, 200, ops_config_valid_json(c));
	else
		api_send(rs, 200, ops_config_errors_json(&d));
	config_free(c);
	diag_clear(&d);
}

/*
 * Answer a refused plan or apply. The server's role has no right on the
 * tables (42501): changing datasets and jobs is the owner's, as a job's
 * notify command and parameters run on every runner's host.
 */
static void
api_config_owner(struct serve_resp *rs, struct db_error *e)
{
	if (strcmp(e->sqlstate, "42501") == 0) {
		serve_error(rs, 403, "the server's database role may not "
		    "change or read the stored configuration: plan and apply "
		    "need the schema owner (\"dataflow apply\", or a server "
		    "connected as the owner)");
		db_error_clear(e);
	} else
		api_listing(rs, -1, NULL, e);
}

/* Plan (dry_run) or apply the configuration in rq's body. */
static void
api_config_change(const struct serve_req *rq, struct serve_resp *rs,
    bool dry_run)
{
	struct diag	 d = { NULL, 0 };
	struct db_error	 e = { 0 };
	struct config	*c;
	const char	*prune = serve_query(rq, "prune");
	json_t		*doc;

	if (prune != NULL && strcmp(prune, "true") != 0 &&
	    strcmp(prune, "false") != 0) {
		serve_error(rs, 400, "prune: \"%.32s\" is neither true nor "
		    "false", prune);
		return;
	}
	if ((c = api_config_body(rq, &d)) == NULL)
		api_config_refused(rs, &d);
	else if (ops_apply(rq->db, c, prune != NULL && strcmp(prune,
	    "true") == 0, dry_run, rq->who, &doc, &e) == -1)
		api_config_owner(rs, &e);
	else
		api_send(rs, 200, doc);
	config_free(c);
	diag_clear(&d);
}

void
api_config_plan(const struct serve_req *rq, struct serve_resp *rs)
{
	api_config_change(rq, rs, true);
}

void
api_config_apply(const struct serve_req *rq, struct serve_resp *rs)
{
	api_config_change(rq, rs, false);
}
