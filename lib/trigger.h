/* trigger.h: triggering partitions of a job ("dataflow trigger", the API):
 * the items to make (from --param, --params-file or a request body), the
 * call (df_trigger in sql/ops.sql) and the wait for their runs. */
#ifndef DF_TRIGGER_H
#define DF_TRIGGER_H

#include <stdbool.h>
#include <stddef.h>

struct db;
struct db_error;
struct cfg_kv;
struct json_t;

#define TRIGGER_MAXITEMS	100000	/* partitions in one call */

/* The partitions one call makes: each a dataid (or generated) and its
 * parameters. Free with trigger_items_free. */
struct trigger_items;

/* Return an empty set of items (one item, no parameters, until a file
 * says otherwise). */
struct trigger_items *trigger_items_new(void);
void		 trigger_items_free(struct trigger_items *ti);
/*
 * Take a params file's text: a JSON object (one partition) or a
 * non-empty array of objects (one partition each), NAME: value, values
 * strings, numbers or booleans (kept as their text). Once only. Names
 * follow the rules of runjob's --param: ident_env_refusal with allow (a
 * NULL-terminated list, the host's env_allow=, or NULL). Return 0, or -1
 * with *errp (caller frees) naming the item and parameter.
 */
int		 trigger_items_load(struct trigger_items *ti,
		    const char *text, size_t len, const char *const *allow,
		    char **errp);
/*
 * Take a NAME=VALUE (--param), set in every item over the file's.
 * Return 0, or -1 with *errp (caller frees).
 */
int		 trigger_items_param(struct trigger_items *ti,
		    const char *arg, const char *const *allow, char **errp);
/*
 * Give the one item its dataid (--dataid). Return 0, or -1 with *errp
 * (caller frees): an invalid dataid, or several items.
 */
int		 trigger_items_dataid(struct trigger_items *ti,
		    const char *dataid, char **errp);
/* Return the number of items (at least 1). */
size_t		 trigger_items_count(const struct trigger_items *ti);
/* Return the items as df_trigger takes them, a JSON array of
 * {"dataid"?, "params"}; caller frees. */
char		*trigger_items_json(const struct trigger_items *ti);

/*
 * What to trigger: a job, or (jobid NULL) the one job whose tags include
 * every pair of tags (--match).
 */
struct trigger_target {
	const char		*jobid;
	const struct cfg_kv	*tags;
	size_t			 ntags;
};

/*
 * Parse a TAG=VALUE of --match into kv (both strings the caller's to
 * free): a valid identifier, a value of at most CONFIG_MAXVALUE bytes.
 * Return 0, or -1 with *errp (caller frees) and kv empty.
 */
int		 trigger_tag_parse(const char *arg, struct cfg_kv *kv,
		    char **errp);

/* One partition of a call: made now (created) or there already. */
struct trigger_part {
	char	*jobid;
	char	*dataid;
	char	*label;		/* NULL when none */
	char	*state;		/* its work's state: ready, waiting... */
	bool	 created;
};

struct trigger_result {
	struct trigger_part	*parts;		/* in item order */
	size_t			 nparts;
};

/*
 * Make the items' partitions of t's job in one transaction (df_trigger),
 * with label (may be NULL) and who (the caller, for the audit trail and
 * the runs). Return 0 with *res filled (free with trigger_result_clear),
 * or -1 with *e filled, nothing made: SQLSTATE DF001 unknown job, DF003 a
 * job without the "trigger" input, 22023 a malformed item; by tags, DF005
 * no job has them, DF006 several have (df_match_job names them).
 */
int		 trigger_make(struct db *db, const struct trigger_target *t,
		    const struct trigger_items *ti, const char *label,
		    const char *who, struct trigger_result *res,
		    struct db_error *e);
void		 trigger_result_clear(struct trigger_result *res);
/* Return res as a JSON array of {job, dataid, label, created} (new). */
struct json_t	*trigger_result_json(const struct trigger_result *res);

/*
 * Wait until the latest run of every partition of res has ended, woken by
 * the schema's "run" channel with a re-check every recheck_ms, at most
 * timeout_ms (< 0: no limit). Return 1 with *status the exit status
 * RunJob would have for them (0 when all succeeded, else the last
 * failure's, in item order), 0 when the time ran out, or -1 with *e
 * filled.
 */
int		 trigger_wait(struct db *db, const struct trigger_result *res,
		    long timeout_ms, long recheck_ms, int *status,
		    struct db_error *e);
#endif
