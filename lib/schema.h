/* schema.h: create and upgrade dataflow's schema from the compiled-in sql/. */
#ifndef DF_SCHEMA_H
#define DF_SCHEMA_H

struct db;
struct db_error;

struct sql_file {
	const char	*name;	/* "001_core.sql", "functions.sql" */
	const char	*text;
};

/* The files of sql/, compiled in by build-aux/sql2c; NULL-terminated. */
extern const struct sql_file sql_files[];

/* The schema version this build creates and expects. */
#define SCHEMA_VERSION	3

/*
 * Create the schema, apply every migration newer than the database's
 * version and re-create the functions, in one transaction serialized
 * against concurrent runs. Idempotent. Sets *from and *to to the versions
 * before and after. Return 0, or -1 with *e filled (nothing changed).
 */
int	schema_upgrade(struct db *db, const char *schema, int *from, int *to,
	    struct db_error *e);
/*
 * Return the database's schema version (0 when dataflow's schema is not
 * there), or -1 with *e filled.
 */
int	schema_version(struct db *db, struct db_error *e);

#endif
