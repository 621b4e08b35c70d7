/* schema.c: versioned schema creation and upgrade ("dataflow init"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "schema.h"
#include "xmalloc.h"

/* Return the migration number of a file name "NNN_name.sql", or 0. */
static int
schema_file_version(const char *name)
{
	if (strspn(name, "0123456789") != 3 || name[3] != '_')
		return 0;
	return (name[0] - '0') * 100 + (name[1] - '0') * 10 + (name[2] - '0');
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

int
schema_upgrade(struct db *db, const char *schema, int *from, int *to,
    struct db_error *e)
{
	const struct sql_file	*f;
	char			*quoted = NULL, *sql = NULL;
	const char		*params[2];
	char			 vbuf[16];
	int			 current, v, rc = -1;

	if (db_begin(db, e) == -1)
		return -1;
	/* Concurrent inits wait for each other instead of colliding. */
	if (db_exec(db, "SELECT pg_advisory_xact_lock(hashtext('dataflow'), "
	    "hashtext('init'))", 0, NULL, e) < 0)
		goto out;
	if ((quoted = db_quote_ident(db, schema)) == NULL)
		goto out;
	sql = xasprintf("CREATE SCHEMA IF NOT EXISTS %s", quoted);
	if (db_exec(db, sql, 0, NULL, e) < 0)
		goto out;
	if ((current = schema_version(db, e)) < 0)
		goto out;
	*from = current;
	*to = current;
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
		*to = v;
	}
	/* Functions are code, not data: always re-created. */
	for (f = sql_files; f->name != NULL; f++) {
		if (schema_file_version(f->name) != 0)
			continue;
		if (db_exec_script(db, f->text, e) == -1)
			goto out;
	}
	if (db_commit(db, e) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1) {
		struct db_error	 ignore = { 0 };

		db_rollback(db, &ignore);
		db_error_clear(&ignore);
	}
	free(quoted);
	free(sql);
	return rc;
}
