/* cmd_complete.c: "dataflow complete": job and dataset names for the shell
 * completion (completion/dataflow.bash), fast and silent when it cannot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "properties.h"
#include "secrets.h"
#include "settings.h"
#include "xmalloc.h"

/* libpq's smallest: a completion must not hang on an unreachable host. */
#define COMPLETE_CONNECT_TIMEOUT	"2"

/* The names that are not removed, starting with $1, in order. */
static const char complete_jobs_sql[] =
    "SELECT jobid FROM job WHERE removed IS NULL "
    "AND starts_with(jobid, $1) ORDER BY jobid";
static const char complete_datasets_sql[] =
    "SELECT datasetid FROM dataset WHERE removed IS NULL "
    "AND starts_with(datasetid, $1) ORDER BY datasetid";

/*
 * Load the settings and connect as cmd_connect does, but never prompt for
 * a passkey, never print, and give up after COMPLETE_CONNECT_TIMEOUT.
 * Return NULL with *status set when there is no database to ask.
 */
static struct db *
complete_connect(const struct global_opts *g, int *status)
{
	struct properties	*props = NULL;
	struct settings		*s = NULL;
	struct secrets		 sec = { 0 };
	struct db_error		 e = { 0 };
	struct db		*db = NULL;
	char			*path, *errmsg = NULL, *password = NULL;

	*status = EXIT_CONFIG;
	if ((path = properties_find(g->config, &errmsg)) != NULL)
		props = properties_load(path, &errmsg);
	free(path);
	if (props != NULL)
		s = settings_from_properties(props, &errmsg);
	properties_free(props);
	if (s == NULL || secrets_open(&sec, g->passkey_file,
	    secrets_keyfile_path(s), false, &errmsg) == -1 ||
	    secrets_db_password(&sec, s, &password, &errmsg) == -1)
		goto out;
	conninfo_set(&s->conn, "connect_timeout", COMPLETE_CONNECT_TIMEOUT);
	if ((db = db_connect(s, password, "dataflow", DB_SEARCH_PATH,
	    &e)) == NULL)
		*status = db_error_exit(&e);
out:
	secrets_close(&sec);
	xfreezero_str(password);
	db_error_clear(&e);
	settings_free(s);
	free(errmsg);
	return db;
}

static int
cmd_complete_exec(struct global_opts *g, int argc, char **argv)
{
	const char		*sql, *params[1];
	struct db		*db;
	struct db_result	*r;
	struct db_error		 e = { 0 };
	int			 i, status;

	if (argc < 2 || argc > 3)
		return cmd_usage(&cmd_complete_entry);
	if (strcmp(argv[1], "jobs") == 0)
		sql = complete_jobs_sql;
	else if (strcmp(argv[1], "datasets") == 0)
		sql = complete_datasets_sql;
	else
		return cmd_usage(&cmd_complete_entry);
	params[0] = argc == 3 ? argv[2] : "";
	if ((db = complete_connect(g, &status)) == NULL)
		return status;
	if ((r = db_query(db, sql, 1, params, &e)) == NULL)
		status = db_error_exit(&e);
	else {
		for (i = 0; i < db_rows(r); i++)
			puts(db_value(r, i, 0));
		status = EXIT_OK;
	}
	db_result_free(r);
	db_error_clear(&e);
	db_close(db);
	return status;
}

const struct cmd_entry cmd_complete_entry = {
	"complete", "jobs|datasets [PREFIX]",
	"job or dataset names, for shell completion",
	cmd_complete_exec
};
