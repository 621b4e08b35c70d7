/* ops.h: the changes the operations commands and the HTTP API make alike:
 * mark partitions ready, resubmit, pause and resume, and check, plan or
 * apply a configuration; each builds the JSON document "dataflow --json"
 * prints, so that the command and the API cannot drift. */
#ifndef DF_OPS_H
#define DF_OPS_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct db;
struct db_error;
struct db_result;
struct diag;
struct json_t;
struct plan;

#define OPS_REASON_MAX	1000	/* bytes of a reason */

/*
 * Errors: every function below returns 0, or -1 with *e filled: a failed
 * statement; an unknown job or dataset, SQLSTATE DF001 with a message
 * naming it ("unknown dataset \"x\""); or input refused before the
 * database is asked, SQLSTATE 22023 with a one-line message.
 */

/*
 * Fill *e as input refused (SQLSTATE 22023) with the message fmt says;
 * return -1.
 */
int		 ops_refuse(struct db_error *e, const char *fmt, ...)
		    __attribute__((__format__(__printf__, 2, 3)));

/*
 * Mark the partitions ids[0..n-1] of dataset READY (df_ready) as who,
 * with reason (may be NULL) in the audit trail. Return 0 with *changed how many were not READY yet and *doc (new, the
 * caller's) {"dataset", "requested", "changed"}. The dataset "today" and
 * an invalid id are refused.
 */
int		 ops_ready(struct db *db, const char *dataset,
		    char *const *ids, size_t n, const char *reason,
		    const char *who, long *changed, struct json_t **doc,
		    struct db_error *e);

/* What a resubmit reruns. */
struct ops_resubmit {
	const char	*jobid;
	char *const	*ids;		/* the partitions named */
	size_t		 nids;
	bool		 failed;	/* and every failed one */
	bool		 downstream;	/* and their consumers */
	bool		 dry_run;	/* carried out, then rolled back */
	const char	*reason;	/* may be NULL */
	const char	*who;		/* for the audit trail */
	int		 max_rows;	/* 0: every partition back */
};

/*
 * Resubmit (df_resubmit) in one transaction. Return 0 with *rows (the
 * caller's: jobid, dataid, depth, action, old_state, new_state, run_id,
 * host, since, outputs, count), one per partition, action "refused" for
 * those running; with o->max_rows, only the refused and the first
 * max_rows others, then per job and new state a row of action "summary"
 * whose count is how many were resubmitted to that state.
 */
int		 ops_resubmit(struct db *db, const struct ops_resubmit *o,
		    struct db_result **rows, struct db_error *e);
/* Return how many rows of an ops_resubmit were refused. */
int		 ops_resubmit_refused(const struct db_result *rows);
/* Return how many partitions an ops_resubmit resubmitted (its summary
 * rows' counts when it has some), and in *shown (if not NULL) how many of
 * its rows are of action "resubmit". */
long long	 ops_resubmit_done(const struct db_result *rows, int *shown);
/* Return the document of an ops_resubmit (new): {"dry_run", "reason",
 * "resubmitted", "refused", "partitions": [...]}. */
struct json_t	*ops_resubmit_json(const struct db_result *rows,
		    const struct ops_resubmit *o);

/*
 * Pause a job (pause true) or resume it (df_set_paused) as who, with
 * reason (may be NULL). Return 0 with *changed whether the flag changed
 * and *doc (new) {"jobid", "paused", "changed"}.
 */
int		 ops_pause(struct db *db, const char *jobid, bool pause,
		    const char *reason, const char *who, bool *changed,
		    struct json_t **doc, struct db_error *e);

/*
 * Load and check a configuration's text (origin names it in messages),
 * its environment names against allow (NULL-terminated, or NULL) too.
 * Return it (caller frees with config_free), or NULL with every problem
 * appended to d.
 */
struct config	*ops_config_load(const char *text, const char *origin,
		    const char *const *allow, struct diag *d);
/* Return the document of a valid configuration (new): {"valid": true,
 * "datasets": N, "jobs": N}. */
struct json_t	*ops_config_valid_json(const struct config *c);
/* Return the document of a refused one (new): {"valid": false,
 * "errors": [...]}. */
struct json_t	*ops_config_errors_json(const struct diag *d);
/* Return the document of a plan (new): {"dry_run", "changes": [...]}. */
struct json_t	*ops_plan_json(const struct plan *p, bool dry_run);

/*
 * Plan (dry_run) or apply want as who, with prune removing what it lacks
 * (catalog_update). Return 0 with *doc (new) as ops_plan_json, or -1 with
 * *e filled and nothing changed.
 */
int		 ops_apply(struct db *db, const struct config *want,
		    bool prune, bool dry_run, const char *who,
		    struct json_t **doc, struct db_error *e);

#endif
