/* cmd_init.c: "dataflow init": create or upgrade the schema. */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>

#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "schema.h"
#include "settings.h"

static int
cmd_init_exec(struct global_opts *g, int argc, char **argv)
{
	struct settings	*s;
	struct db	*db;
	struct db_error	 e = { 0 };
	int		 status, from, to;

	(void)argv;
	if (argc != 1)
		return cmd_usage(&cmd_init_entry);
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	if ((from = schema_version(db, &e)) > SCHEMA_VERSION) {
		warnx("schema \"%s\" is at version %d, newer than this "
		    "dataflow (%d): upgrade dataflow", s->schema, from,
		    SCHEMA_VERSION);
		status = EXIT_CONFIG;
	} else if (from < 0 ||
	    schema_upgrade(db, s->schema, &from, &to, &e) == -1) {
		warnx("could not initialise schema \"%s\": %s", s->schema,
		    e.message);
		status = db_error_exit(&e);
		if (status == EXIT_CONFIG)
			status = EXIT_FAIL;
	} else if (g->verbosity > 0) {
		if (from == 0)
			printf("schema \"%s\" created at version %d\n",
			    s->schema, to);
		else if (from != to)
			printf("schema \"%s\" upgraded from version %d to "
			    "%d\n", s->schema, from, to);
		else
			printf("schema \"%s\" is up to date (version %d)\n",
			    s->schema, to);
	}
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_init_entry = {
	"init", "", "create or upgrade the dataflow schema", cmd_init_exec
};
