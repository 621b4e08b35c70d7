/* cmd_status.c: "dataflow status": per job, what is claimable, running,
 * done and failed, how far behind it is, and its last run; with --grid,
 * the state of recent partitions job by job. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "ids.h"
#include "listing.h"
#include "settings.h"
#include "table.h"
#include "xmalloc.h"

#define GRID_MAXHEAD	8	/* dataid suffixes printed down the columns */

static void
status_table(const struct db_result *r)
{
	static const char *const headers[] = {
		"JOB", "STATE", "CLAIMABLE", "RETRYING", "RUNNING", "DONE",
		"FAILED", "WAITING", "OLDEST", "LAG", "LAST RUN", "OUTCOME",
		"DURATION"
	};
	struct table	*t;
	const char	*v;
	char		 buf[32];
	size_t		 c;
	int		 i;

	t = table_new(sizeof(headers) / sizeof(headers[0]), headers);
	for (c = 2; c <= 7; c++)
		table_align(t, c, TABLE_RIGHT);
	table_align(t, 9, TABLE_RIGHT);
	table_align(t, 12, TABLE_RIGHT);
	for (i = 0; i < db_rows(r); i++) {
		table_add(t, db_col(r, i, "jobid"));
		table_add(t, db_col(r, i, "state"));
		table_add(t, db_col(r, i, "claimable"));
		table_add(t, db_col(r, i, "retrying"));
		if ((v = db_col(r, i, "max_running")) != NULL)
			table_addf(t, "%s/%s", db_col(r, i, "running"), v);
		else
			table_add(t, db_col(r, i, "running"));
		table_add(t, db_col(r, i, "done"));
		table_add(t, db_col(r, i, "failed"));
		table_add(t, db_col(r, i, "waiting"));
		table_add(t, db_col(r, i, "oldest_dataid"));
		table_add(t, cmd_duration(db_col(r, i, "lag_secs"), buf,
		    sizeof(buf)));
		if (db_col(r, i, "last_run_id") == NULL) {
			table_add(t, NULL);
			table_add(t, NULL);
			table_add(t, NULL);
			continue;
		}
		/* A run still going has no age: not "#9938 - ago". */
		if (db_col(r, i, "last_age_secs") == NULL)
			table_addf(t, "#%s", db_col(r, i, "last_run_id"));
		else
			table_addf(t, "#%s %s ago", db_col(r, i,
			    "last_run_id"), cmd_duration(db_col(r, i,
			    "last_age_secs"), buf, sizeof(buf)));
		if ((v = db_col(r, i, "last_signal")) != NULL)
			table_addf(t, "%s (signal %s)", db_col(r, i,
			    "last_status"), v);
		else if ((v = db_col(r, i, "last_exit_code")) != NULL &&
		    strcmp(v, "0") != 0)
			table_addf(t, "%s (exit %s)", db_col(r, i,
			    "last_status"), v);
		else
			table_add(t, db_col(r, i, "last_status"));
		table_add(t, cmd_duration(db_col(r, i, "last_duration_secs"),
		    buf, sizeof(buf)));
	}
	cmd_table_print(t);
}

/*
 * Print the header: the dataids' common prefix, then the rest of each
 * written down its column, when that is short enough to read.
 */
static void
grid_header(json_t *ids, size_t first, int width)
{
	const char	*a, *id;
	size_t		 i, n = json_array_size(ids), pre, len, minlen, maxlen;
	size_t		 line;

	if (first >= n)
		return;
	a = json_string_value(json_array_get(ids, first));
	pre = minlen = maxlen = strlen(a);
	for (i = first; i < n; i++) {
		id = json_string_value(json_array_get(ids, i));
		len = strlen(id);
		if (len < minlen)
			minlen = len;
		if (len > maxlen)
			maxlen = len;
		for (len = 0; len < pre && a[len] == id[len]; len++)
			;
		pre = len;
	}
	/* Every column keeps at least one character of its own. */
	if (pre >= minlen)
		pre = minlen - 1;
	if (maxlen - pre > GRID_MAXHEAD)
		return;
	if (pre > 0)
		printf("%-*s  %.*s\n", width, "", (int)pre, a);
	for (line = 0; pre + line < maxlen; line++) {
		printf("%-*s  ", width, pre + line + 1 == maxlen ? "JOB" : "");
		len = 0;
		for (i = first; i < n; i++) {
			id = json_string_value(json_array_get(ids, i));
			if (pre + line < strlen(id)) {
				printf("%*s%c", (int)len, "", id[pre + line]);
				len = 0;
			} else
				len++;
		}
		putchar('\n');
	}
}

static void
grid_text(const struct db_result *r, json_t *ids, long limit)
{
	json_t		*states;
	size_t		 ncols, n = json_array_size(ids), k, len;
	char		*name, *row, item[32];
	int		 width, i, end;

	width = listing_grid_width(r);
	ncols = listing_grid_ncols(n, limit, width);
	grid_header(ids, n - ncols, width);
	for (i = 0; i < db_rows(r); i++) {
		states = cmd_json_parse(db_col(r, i, "states"));
		name = listing_grid_name(r, i);
		row = listing_grid_cells(states, ncols);
		/* No trailing blanks; a blank cell before others stays. */
		for (end = (int)strlen(row); end > 0 && row[end - 1] == ' ';
		    end--)
			;
		if (end == 0)
			printf("%s\n", name);
		else
			printf("%-*s  %.*s\n", width, name, end, row);
		free(row);
		free(name);
		json_decref(states);
	}
	if (ncols == 0) {
		printf("no partitions yet\n");
		return;
	}
	printf("\n%zu partition%s, %s .. %s", ncols, ncols == 1 ? "" : "s",
	    json_string_value(json_array_get(ids, n - ncols)),
	    json_string_value(json_array_get(ids, n - 1)));
	if (ncols < n)
		printf(" (the newest; --limit N shows N)");
	printf("\n");
	/* The legend, in lines that fit LISTING_GRID_WIDTH. */
	len = 0;
	for (k = 0; k <= listing_ncells; k++) {
		if (k < listing_ncells)
			snprintf(item, sizeof(item), "%c %s",
			    listing_cells[k].c, listing_cells[k].state);
		else
			strlcpy(item, "(blank) no work", sizeof(item));
		if (len > 0 && len + 2 + strlen(item) > LISTING_GRID_WIDTH) {
			putchar('\n');
			len = 0;
		}
		printf("%s%s", len == 0 ? "" : "  ", item);
		len += (len == 0 ? 0 : 2) + strlen(item);
	}
	putchar('\n');
}

/*
 * Print the grid of the jobs (or jobid) over their newest partitions:
 * limit of them (0: all), or with -1 as many as fit LISTING_GRID_WIDTH
 * columns. Return the exit status.
 */
static int
status_grid(struct global_opts *g, struct db *db, const char *jobid,
    long limit)
{
	struct db_error		 e = { 0 };
	struct db_result	*r;
	char			*json;
	json_t			*ids;
	int			 rc;

	if (g->json) {
		rc = listing_grid_json(db, jobid, limit, &json, &e);
		return cmd_print_json("read the status", rc, json, &e);
	}
	if (listing_grid(db, jobid, limit, &r, &e) == -1) {
		rc = cmd_db_fail("read the status", &e);
		db_error_clear(&e);
		return rc;
	}
	if (db_rows(r) == 0)
		printf("no jobs: declare them with \"dataflow apply\"\n");
	else {
		ids = cmd_json_parse(db_col(r, 0, "dataids"));
		grid_text(r, ids, limit);
		json_decref(ids);
	}
	db_result_free(r);
	return EXIT_OK;
}

static int
cmd_status_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_GRID = 256, OPT_LIMIT };
	static const struct option longopts[] = {
		{ "grid",	no_argument,		NULL, OPT_GRID },
		{ "limit",	required_argument,	NULL, OPT_LIMIT },
		{ NULL,		0,			NULL, 0 }
	};
	struct settings		*s = NULL;
	struct db		*db = NULL;
	struct db_error		 e = { 0 };
	struct db_result	*r = NULL;
	const char		*jobid = NULL;
	char			*json;
	long			 limit = -1;
	bool			 grid = false;
	int			 ch, status;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_GRID:
			grid = true;
			break;
		case OPT_LIMIT:
			if (cmd_parse_limit(optarg, &limit) == -1)
				return cmd_usage(&cmd_status_entry);
			break;
		default:
			return cmd_usage(&cmd_status_entry);
		}
	}
	if (argc - optind > 1)
		return cmd_usage(&cmd_status_entry);
	if (limit != -1 && !grid) {
		warnx("--limit goes with --grid");
		return cmd_usage(&cmd_status_entry);
	}
	if (optind < argc) {
		jobid = argv[optind];
		if (!ident_valid(jobid)) {
			warnx("\"%s\" is not a valid job id", jobid);
			return EXIT_USAGE;
		}
	}
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	cmd_schema_warn(db);
	if (grid) {
		status = status_grid(g, db, jobid, limit);
		goto out;
	}
	if (g->json) {
		status = listing_status_json(db, jobid, &json, &e);
		status = cmd_print_json("read the status", status, json, &e);
		goto out;
	}
	if (listing_status(db, jobid, &r, &e) == -1) {
		status = cmd_db_fail("read the status", &e);
		goto out;
	}
	status = EXIT_OK;
	cmd_print_rows(r, status_table,
	    "no jobs: declare them with \"dataflow apply\"");
out:
	db_result_free(r);
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_status_entry = {
	"status", "[--grid [--limit N]] [JOB]",
	"per job: claimable, running, done, failed, lag, last run",
	cmd_status_exec
};
