/* catalog.h: the configuration as stored in the database: load and apply. */
#ifndef DF_CATALOG_H
#define DF_CATALOG_H

struct config;
struct db;
struct db_error;
struct plan;

/*
 * Read the current datasets and jobs (not removed ones, not the "today"
 * pseudo-dataset) into *out (caller frees with config_free). Return 0, or
 * -1 with *e filled.
 */
int	catalog_load(struct db *db, struct config **out, struct db_error *e);
/*
 * Ask the database which names of parameters and extra attributes of a and
 * b (either may be NULL) look like secrets, by its one rule
 * (df_secret_name), for plan_compute. Return 0 with *out a
 * NULL-terminated list (caller frees with xfree_strv), or -1 with
 * *e filled.
 */
int	catalog_secret_names(struct db *db, const struct config *a,
	    const struct config *b, char ***out, struct db_error *e);
/*
 * Make the database match want by carrying out plan (from plan_compute of
 * the current configuration and want), with an audit record by actor, and
 * bring each changed job's work in line with its inputs. Run it inside a
 * transaction the caller holds (and rolls back on failure). Removed objects
 * are hidden, never deleted, so their history stays. Return 0, or -1 with
 * *e filled.
 */
int	catalog_apply(struct db *db, const struct config *want,
	    const struct plan *plan, const char *actor, struct db_error *e);

#endif
