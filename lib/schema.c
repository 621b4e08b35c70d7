/* schema.c: versioned schema creation and upgrade ("dataflow init"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "schema.h"
#include "xmalloc.h"

/* Longest identifier PostgreSQL keeps whole (NAMEDATALEN - 1). */
#define SCHEMA_IDENT_MAX	63

static const char *const schema_role_kinds[SCHEMA_NROLES] = {
	"runner", "operator", "server"
};

/* Functions made while it is set pin it (SET search_path FROM CURRENT):
 * the schema, then pg_temp, never searched first for a table or type. */
static const char pin_path_sql[] =
    "SELECT set_config('search_path', $1 || ', pg_temp', true)";

/* The role names sql/roles.sql reads, for this transaction only. */
static const char role_names_sql[] =
    "SELECT set_config('dataflow.runner_role', $1, true), "
    "set_config('dataflow.operator_role', $2, true), "
    "set_config('dataflow.server_role', $3, true)";

/* Every dataflow lock is one key of this pair space; what it guards is
 * the second key. */
static const char lock_sql[] =
    "SELECT pg_advisory_xact_lock(hashtext('dataflow'), hashtext($1))";

/* What runs now under the schema's current version: runs with a live
 * lease, and (from version 6) workers seen lately, as df_workers counts
 * them live (2 x beat_secs + 30 s). */
static const char busy_runs_sql[] =
    "SELECT count(*) FROM run "
    "WHERE status = 'RUNNING' AND lease_until > now()";
static const char has_workers_sql[] =
    "SELECT to_regclass('worker') IS NOT NULL";
static const char busy_workers_count_sql[] =
    "SELECT count(*) FROM worker WHERE state <> 'stopped' "
    "AND last_seen > now() - make_interval(secs => 2 * beat_secs + 30)";

static const char role_exists_sql[] =
    "SELECT 1 FROM pg_roles WHERE rolname = $1";

/* Return the migration number of a file name "NNN_name.sql", or 0. */
static int
schema_file_version(const char *name)
{
	if (strspn(name, "0123456789") != 3 || name[3] != '_')
		return 0;
	return (name[0] - '0') * 100 + (name[1] - '0') * 10 + (name[2] - '0');
}

int
schema_lock(struct db *db, const char *what, struct db_error *e)
{
	const char	*p[1] = { what };

	return db_exec(db, lock_sql, 1, p, e) < 0 ? -1 : 0;
}

const char *
schema_role_kind(enum schema_role role)
{
	return schema_role_kinds[role];
}

int
schema_role_parse(const char *kind, enum schema_role *role)
{
	int	 i;

	for (i = 0; i < SCHEMA_NROLES; i++) {
		if (strcmp(kind, schema_role_kinds[i]) == 0) {
			*role = (enum schema_role)i;
			return 0;
		}
	}
	return -1;
}

char *
schema_role_name(const char *schema, enum schema_role role)
{
	char	*name;

	name = xasprintf("%s_%s", schema, schema_role_kinds[role]);
	if (strlen(name) > SCHEMA_IDENT_MAX) {
		/* PostgreSQL would cut it, maybe to another schema's. */
		free(name);
		return NULL;
	}
	return name;
}

/* Return whether role exists (1), not (0), or -1 with *e filled. */
static int
schema_role_exists(struct db *db, const char *role, struct db_error *e)
{
	struct db_result	*r;
	const char		*p[1] = { role };
	int			 found;

	if ((r = db_query(db, role_exists_sql, 1, p, e)) == NULL)
		return -1;
	found = db_rows(r) > 0;
	db_result_free(r);
	return found;
}

int
schema_create_roles(struct db *db, const char *schema, struct db_error *e)
{
	char	*name, *quoted, *sql;
	int	 k, n;

	for (k = 0; k < SCHEMA_NROLES; k++) {
		if ((name = schema_role_name(schema,
		    (enum schema_role)k)) == NULL)
			continue;
		n = schema_role_exists(db, name, e);
		if (n == 0 && (quoted = db_quote_ident(db, name)) != NULL) {
			/* DDL takes no parameters: a quoted identifier. */
			sql = xasprintf("CREATE ROLE %s NOLOGIN", quoted);
			if (db_exec(db, sql, 0, NULL, e) < 0 &&
			    strcmp(e->sqlstate, "42710") != 0) /* a race */
				n = -1;
			free(sql);
			free(quoted);
		}
		free(name);
		if (n == -1)
			return -1;
		db_error_clear(e);
	}
	return 0;
}

/* Fail with a message of ours in *e. */
static void
schema_fail(struct db_error *e, const char *sqlstate, char *message)
{
	e->kind = DB_ERR_QUERY;
	strlcpy(e->sqlstate, sqlstate, sizeof(e->sqlstate));
	free(e->message);
	e->message = message;
}

/*
 * Note which group roles are missing in si->missing, then make the members
 * of si->grants members of theirs. Return 0, or -1 with *e filled.
 */
static int
schema_grant_roles(struct db *db, char *const *names, struct schema_init *si,
    struct db_error *e)
{
	const struct schema_grant *g;
	struct db_result	*r;
	char			*role = NULL, *member = NULL, *sql;
	size_t			 i;
	int			 k, n;

	si->missing = 0;
	for (k = 0; k < SCHEMA_NROLES; k++) {
		if (names[k] == NULL)
			continue;
		if ((n = schema_role_exists(db, names[k], e)) == -1)
			return -1;
		if (n == 0)
			si->missing |= 1U << k;
	}
	if (si->missing != 0 && si->owner == NULL) {
		if ((r = db_query(db, "SELECT current_user", 0, NULL,
		    e)) == NULL)
			return -1;
		if (db_value(r, 0, 0) != NULL)
			si->owner = xstrdup(db_value(r, 0, 0));
		db_result_free(r);
	}
	for (i = 0; i < si->ngrants; i++) {
		g = &si->grants[i];
		if (names[g->role] == NULL ||
		    (si->missing & (1U << g->role)) != 0) {
			schema_fail(e, "42704", xasprintf("there is no %s "
			    "role to grant: it is created by a user with "
			    "CREATEROLE", schema_role_kind(g->role)));
			return -1;
		}
		if ((n = schema_role_exists(db, g->member, e)) == -1)
			return -1;
		if (n == 0) {
			schema_fail(e, "42704", xasprintf("role \"%s\" does "
			    "not exist", g->member));
			return -1;
		}
		/* GRANT takes no parameters: both are quoted identifiers. */
		if ((role = db_quote_ident(db, names[g->role])) == NULL ||
		    (member = db_quote_ident(db, g->member)) == NULL) {
			free(role);
			schema_fail(e, "XX000", xstrdup("could not quote a "
			    "role name"));
			return -1;
		}
		sql = xasprintf("GRANT %s TO %s", role, member);
		free(role);
		free(member);
		n = db_exec(db, sql, 0, NULL, e);
		free(sql);
		if (n < 0)
			return -1;
	}
	return 0;
}

int
schema_version(struct db *db, struct db_error *e)
{
	struct db_result	*r;
	int			 version;

	/* search_path is the dataflow schema: is its version table there? */
	r = db_query(db, "SELECT CASE WHEN to_regclass('schema_version') "
	    "IS NULL THEN 0 ELSE -1 END", 0, NULL, e);
	if (r == NULL)
		return -1;
	version = (int)db_int(r, 0, 0, -1);
	db_result_free(r);
	if (version == 0)
		return 0;
	if ((r = db_query(db, "SELECT coalesce(max(version), 0) "
	    "FROM schema_version", 0, NULL, e)) == NULL)
		return -1;
	version = (int)db_int(r, 0, 0, 0);
	db_result_free(r);
	return version;
}

/* Return the count the query sql gives, or -1 with *e filled. */
static long long
schema_count(struct db *db, const char *sql, struct db_error *e)
{
	struct db_result	*r;
	long long		 n;

	if ((r = db_query(db, sql, 0, NULL, e)) == NULL)
		return -1;
	n = db_int(r, 0, 0, 0);
	db_result_free(r);
	return n;
}

/*
 * Refuse to upgrade from version from while runjobs of that version run
 * (unless si->force): 0, or -1 with *e filled (SCHEMA_BUSY_STATE when
 * refused).
 */
static int
schema_busy(struct db *db, int from, struct schema_init *si,
    struct db_error *e)
{
	struct db_result	*r;
	bool			 workers;

	if ((si->busy_runs = schema_count(db, busy_runs_sql, e)) == -1)
		return -1;
	/* The worker table is there from version 6 on. */
	if ((r = db_query(db, has_workers_sql, 0, NULL, e)) == NULL)
		return -1;
	workers = db_value(r, 0, 0) != NULL &&
	    strcmp(db_value(r, 0, 0), "t") == 0;
	db_result_free(r);
	si->busy_workers = 0;
	if (workers && (si->busy_workers = schema_count(db,
	    busy_workers_count_sql, e)) == -1)
		return -1;
	if (si->force || (si->busy_runs == 0 && si->busy_workers == 0))
		return 0;
	schema_fail(e, SCHEMA_BUSY_STATE, xasprintf("%lld run%s RUNNING and "
	    "%lld worker%s live, of runjobs that expect schema version %d",
	    si->busy_runs, si->busy_runs == 1 ? "" : "s", si->busy_workers,
	    si->busy_workers == 1 ? "" : "s", from));
	return -1;
}

int
schema_upgrade(struct db *db, const char *schema, struct schema_init *si,
    struct db_error *e)
{
	const struct sql_file	*f;
	char			*quoted = NULL, *sql = NULL;
	char			*names[SCHEMA_NROLES] = { NULL };
	const char		*params[SCHEMA_NROLES];
	char			 vbuf[16];
	int			 current, v, k, rc = -1;

	if (db_begin(db, e) == -1)
		return -1;
	/* Concurrent inits wait for each other instead of colliding. */
	if (schema_lock(db, "init", e) == -1)
		goto out;
	if ((quoted = db_quote_ident(db, schema)) == NULL)
		goto out;
	sql = xasprintf("CREATE SCHEMA IF NOT EXISTS %s", quoted);
	if (db_exec(db, sql, 0, NULL, e) < 0)
		goto out;
	params[0] = quoted;
	if (db_exec(db, pin_path_sql, 1, params, e) < 0)
		goto out;
	for (k = 0; k < SCHEMA_NROLES; k++) {
		names[k] = schema_role_name(schema, (enum schema_role)k);
		params[k] = names[k] != NULL ? names[k] : "";
	}
	if (db_exec(db, role_names_sql, SCHEMA_NROLES, params, e) < 0)
		goto out;
	if ((current = schema_version(db, e)) < 0)
		goto out;
	si->from = current;
	si->to = current;
	if (current > 0 && current < SCHEMA_VERSION &&
	    schema_busy(db, current, si, e) == -1)
		goto out;
	for (f = sql_files; f->name != NULL; f++) {
		v = schema_file_version(f->name);
		if (v == 0 || v <= current)
			continue;
		if (db_exec_script(db, f->text, e) == -1)
			goto out;
		snprintf(vbuf, sizeof(vbuf), "%d", v);
		params[0] = vbuf;
		params[1] = f->name;
		if (db_exec(db, "INSERT INTO schema_version "
		    "(version, description) VALUES ($1, $2)", 2, params,
		    e) < 0)
			goto out;
		si->to = v;
	}
	/* Functions are code, not data: always re-created, and their
	 * rights with them (roles.sql comes last). */
	for (f = sql_files; f->name != NULL; f++) {
		if (schema_file_version(f->name) != 0)
			continue;
		if (db_exec_script(db, f->text, e) == -1)
			goto out;
	}
	if (schema_grant_roles(db, names, si, e) == -1 ||
	    db_commit(db, e) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1) {
		struct db_error	 ignore = { 0 };

		db_rollback(db, &ignore);
		db_error_clear(&ignore);
	}
	for (k = 0; k < SCHEMA_NROLES; k++)
		free(names[k]);
	free(quoted);
	free(sql);
	return rc;
}
