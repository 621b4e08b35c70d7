/* schema.h: create and upgrade dataflow's schema from the compiled-in sql/. */
#ifndef DF_SCHEMA_H
#define DF_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

struct db;
struct db_error;

struct sql_file {
	const char	*name;	/* "001_core.sql", "functions.sql" */
	const char	*text;
};

/* The files of sql/, compiled in by build-aux/sql2c; NULL-terminated. */
extern const struct sql_file sql_files[];

/* The schema version this build creates and expects. */
#define SCHEMA_VERSION	11

/*
 * The group roles "dataflow init" gives a schema (sql/roles.sql): the
 * runner claims, renews and finishes runs (runjob), the operator reads and
 * runs the operations commands, the server calls the functions "dataflow
 * serve" serves and reads no table. Their names are the schema's with a
 * suffix, as roles are cluster-wide: "dataflow_runner", "dataflow_operator",
 * "dataflow_server".
 */
enum schema_role {
	SCHEMA_RUNNER,
	SCHEMA_OPERATOR,
	SCHEMA_SERVER,
	SCHEMA_NROLES
};

/*
 * Wait for, then hold until the transaction the caller holds ends, the lock
 * that serializes dataflow's commands doing what ("init", "apply"), so
 * that each sees what the previous one left. Return 0, or -1 with *e
 * filled.
 */
int		 schema_lock(struct db *db, const char *what,
		    struct db_error *e);

/* Return the role's kind, "runner", "operator" or "server" (static). */
const char	*schema_role_kind(enum schema_role role);
/* Set *role from its kind ("runner", "operator", "server"); return 0, or
 * -1. */
int		 schema_role_parse(const char *kind, enum schema_role *role);
/*
 * Return the name of the role of schema, "<schema>_<kind>" (caller frees),
 * or NULL when that is longer than an identifier may be (63 bytes).
 */
char		*schema_role_name(const char *schema, enum schema_role role);

/*
 * Create the group roles of schema that do not exist (NOLOGIN), as a user
 * who may (a superuser: "dataflow local init"). Return 0, or -1 with *e.
 */
int		 schema_create_roles(struct db *db, const char *schema,
		    struct db_error *e);

/* A "dataflow init --grant": make member (a role) a member of role. */
struct schema_grant {
	enum schema_role	 role;
	const char		*member;
};

/* What schema_upgrade is asked to do, and what it did. */
struct schema_init {
	const struct schema_grant *grants;	/* in: n of them, or NULL */
	size_t			 ngrants;
	int			 from;		/* out: version before */
	int			 to;		/* out: version after */
	/*
	 * out: the group roles that do not exist (bit 1 << role), because
	 * the user may not create roles (CREATEROLE): the schema works for
	 * its owner, and the next init grants their rights once they exist.
	 */
	unsigned int		 missing;
	char			*owner;		/* out: when missing, the
						 * user (caller frees) */
	bool			 force;		/* in: upgrade even while
						 * runjobs of the old
						 * version are active */
	long long		 busy_runs;	/* out: runs RUNNING (lease
						 * not expired) */
	long long		 busy_workers;	/* out: workers live */
};

/* The SQLSTATE of a refused upgrade (object_in_use). */
#define SCHEMA_BUSY_STATE	"55006"

/*
 * Create the schema, apply every migration newer than the database's
 * version, re-create the functions, create the group roles if missing (and
 * the user may), re-apply their rights and make the members si->grants
 * name members of them, in one transaction serialized against concurrent
 * runs. Idempotent. Fills si's out fields. Return 0, or -1 with *e filled
 * (nothing changed); a grant whose member or role does not exist is such
 * an error. An upgrade (not a creation, not the same version) is refused
 * with SCHEMA_BUSY_STATE, si->busy_runs and si->busy_workers set, while
 * runs are RUNNING with a live lease or workers are live: their runjobs
 * expect the old version (a claim checks it), unless si->force.
 */
int	schema_upgrade(struct db *db, const char *schema,
	    struct schema_init *si, struct db_error *e);
/*
 * Return the database's schema version (0 when dataflow's schema is not
 * there), or -1 with *e filled.
 */
int	schema_version(struct db *db, struct db_error *e);

#endif
