/* cmd_workers.c: "dataflow workers": per worker (cmd_worker_list.c), or
 * with --hosts per host that ran jobs, its runs by outcome, what it runs
 * now, and when it was first and last seen. */
#include <err.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "listing.h"
#include "settings.h"
#include "table.h"

static void
workers_table(const struct db_result *r)
{
	static const char *const headers[] = {
		"HOST", "RUNNING", "STALE", "RUNS", "SUCCEEDED", "FAILED",
		"TIMEOUT", "CANCELLED", "ABANDONED", "FIRST SEEN", "LAST SEEN"
	};
	static const char *const counts[] = {
		"running", "stale", "runs", "succeeded", "failed", "timeout",
		"cancelled", "abandoned"
	};
	struct table	*t;
	char		 buf[32];
	size_t		 c;
	int		 i;

	t = table_new(sizeof(headers) / sizeof(headers[0]), headers);
	for (c = 1; c <= 8; c++)
		table_align(t, c, TABLE_RIGHT);
	table_align(t, 10, TABLE_RIGHT);
	for (i = 0; i < db_rows(r); i++) {
		table_add(t, db_col(r, i, "host"));
		for (c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
			table_add(t, db_col(r, i, counts[c]));
		table_add(t, cmd_time(db_col(r, i, "first_seen_epoch"), buf,
		    sizeof(buf)));
		table_add(t, cmd_ago(db_col(r, i, "last_seen_secs"), buf,
		    sizeof(buf)));
	}
	cmd_table_print(t);
}

static int
cmd_workers_exec(struct global_opts *g, int argc, char **argv)
{
	struct settings		*s = NULL;
	struct db		*db = NULL;
	struct db_error		 e = { 0 };
	struct db_result	*r = NULL;
	char			*json;
	int			 status;

	static const struct option longopts[] = {
		{ "hosts",	no_argument,	NULL, 'H' },
		{ NULL,		0,		NULL, 0 }
	};
	bool	 hosts = false;
	int	 ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'H')
			return cmd_usage(&cmd_workers_entry);
		hosts = true;
	}
	argc -= optind;
	argv += optind;
	if (!hosts && argc == 0)
		return cmd_worker_list(g, NULL);
	if (!hosts && argc == 2 && strcmp(argv[0], "show") == 0)
		return cmd_worker_list(g, argv[1]);
	if (!hosts || argc != 0)
		return cmd_usage(&cmd_workers_entry);
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	if (g->json) {
		status = listing_workers_json(db, &json, &e);
		status = cmd_print_json("read the workers", status, json, &e);
		goto out;
	}
	if (listing_workers(db, &r, &e) == -1) {
		status = cmd_db_fail("read the workers", &e);
		goto out;
	}
	status = EXIT_OK;
	cmd_print_rows(r, workers_table,
	    "no runs yet: no host has run a job");
out:
	db_result_free(r);
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_workers_entry = {
	"workers", "[--hosts | show ID]",
	"workers and their runs, or per host: runs by outcome, running now",
	cmd_workers_exec
};
