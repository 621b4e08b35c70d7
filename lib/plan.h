/* plan.h: the difference between two configurations, as changes to make. */
#ifndef DF_PLAN_H
#define DF_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct json_t;

enum plan_action {
	PLAN_ADD,
	PLAN_UPDATE,
	PLAN_REMOVE,
	PLAN_PAUSE,	/* an update that pauses a job */
	PLAN_RESUME	/* an update that resumes a job */
};

enum plan_kind {
	PLAN_DATASET,
	PLAN_JOB
};

struct plan_change {
	enum plan_action	 action;
	enum plan_kind		 kind;
	char			*id;
	/*
	 * For updates: one line per changed attribute, e.g.
	 * 'hostname: "db1" -> "db2"', 'inputs: +sales_raw -old', and secrets
	 * (encryptedpass, and params and extra attributes whose names are
	 * secret-looking) shown as "(set)", "(changed)" or "(removed)", never
	 * their value. Empty for add, remove, pause and resume.
	 */
	char			**details;
	size_t			 ndetails;
};

struct plan {
	struct plan_change	*changes;	/* datasets first, then jobs,
						   each sorted by id */
	size_t			 n;
};

/*
 * Compute what turns cur into want (both sorted, as loaded; NULL stands
 * for an empty configuration). Objects only in cur are removed only
 * when prune is true. A job whose paused flag is all that changed is a
 * PLAN_PAUSE/PLAN_RESUME; with other changes too it is a PLAN_UPDATE with a
 * "paused: false -> true" detail. The values of parameters and extra
 * attributes named in secrets (NULL-terminated, or NULL for none: the
 * names the database's df_secret_name matches, see catalog_secret_names)
 * are masked. Return the plan (caller frees).
 */
struct plan	*plan_compute(const struct config *cur,
		    const struct config *want, bool prune,
		    const char *const *secrets);
/* Return the action's name: "add", "update", "remove", "pause", "resume". */
const char	*plan_action_name(enum plan_action a);
/* Return the kind's name: "dataset" or "job". */
const char	*plan_kind_name(enum plan_kind k);
/*
 * Return p as a JSON array (caller owns the ref) of {"action", "kind",
 * "id", "details": [...]}, one per change in p's order; the details are
 * masked already, so this may go to an audit trail.
 */
struct json_t	*plan_to_json(const struct plan *p);
/* Free p; NULL is a no-op. */
void		 plan_free(struct plan *p);

#endif
