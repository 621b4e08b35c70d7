/* catalog.h: the configuration as stored in the database: load and apply. */
#ifndef DF_CATALOG_H
#define DF_CATALOG_H

#include <stdbool.h>

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
 * The same as the API shows it, by SECURITY DEFINER functions a role
 * without table privileges may call: no dataset's encryptedpass, and the
 * values of secret-looking parameters and extra attributes masked.
 */
int	catalog_load_public(struct db *db, struct config **out,
	    struct db_error *e);
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
/*
 * Write an audit record (df_audit): who did action, with detail (a JSON
 * text, or NULL). Return 0, or -1 with *e filled.
 */
int	catalog_audit(struct db *db, const char *who, const char *action,
	    const char *detail, struct db_error *e);

/* How far catalog_update carries out the plan it makes. */
enum catalog_mode {
	CATALOG_PLAN,		/* plan only: nothing written */
	CATALOG_TRY,		/* carry it out, then roll back */
	CATALOG_COMMIT		/* carry it out and commit */
};

/* A change of the stored configuration, for catalog_update. */
struct catalog_update {
	const struct config	*want;	/* what the database is to hold */
	bool			 prune;	/* remove what want lacks */
	enum catalog_mode	 mode;
	const char		*actor;	/* who, for the audit trail */
	/* Called with the plan before it is carried out, or NULL. */
	void			(*planned)(const struct plan *plan,
				    void *arg);
	/*
	 * Called after the plan was carried out, in the same transaction,
	 * to write more: return 0, or -1 with *e filled (then nothing is
	 * written). NULL: nothing more.
	 */
	int			(*applied)(struct db *db,
				    const struct plan *plan, void *arg,
				    struct db_error *e);
	void			*arg;	/* for planned and applied */
};

/*
 * The one apply under the lock: in one transaction, serialized against
 * other applies, plan the change from the stored configuration to u->want
 * (plan_compute), and carry it out (catalog_apply, then u->applied) as
 * u->mode says. Return 0 with *planp the plan (caller frees with
 * plan_free), or -1 with *e filled, nothing changed and *planp NULL.
 */
int	catalog_update(struct db *db, const struct catalog_update *u,
	    struct plan **planp, struct db_error *e);

#endif
