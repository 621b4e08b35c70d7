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
#include "settings.h"
#include "table.h"
#include "xmalloc.h"

#define GRID_WIDTH	80	/* the default grid fits this many columns */
#define GRID_MAXHEAD	8	/* dataid suffixes printed down the columns */

/* df_grid (sql/observe.sql): jobs in dependency order, recent dataids. */
static const char grid_sql[] =
    "SELECT g.jobid, g.paused, g.dataids::text AS dataids, "
    "g.states::text AS states FROM df_grid($1, $2::integer) g";

/* One character per state of a grid cell, and the legend. */
static const struct grid_cell {
	const char	*state;
	char		 c;
} grid_cells[] = {
	{ "succeeded",	'#' },
	{ "running",	'R' },
	{ "ready",	'r' },
	{ "retrying",	'f' },
	{ "waiting",	'.' },
	{ "failed",	'F' },
	{ "skipped",	'-' },
};

/* df_status (sql/ops.sql) with times as ISO 8601 for JSON. */
static const char status_sql[] =
    "SELECT s.jobid, s.paused, s.run_order, s.max_running, "
    "s.max_attempts, s.owner, s.claimable, s.ready, s.retrying, "
    "s.waiting, s.running, s.done, s.failed, s.skipped, s.oldest_dataid, "
    "s.oldest_state, to_json(s.oldest_since) #>> '{}' AS oldest_since, "
    "s.lag_secs, s.last_run_id, s.last_dataid, s.last_status, "
    "s.last_exit_code, s.last_signal, "
    "to_json(s.last_started) #>> '{}' AS last_started, "
    "to_json(s.last_ended) #>> '{}' AS last_ended, "
    "s.last_duration_secs, extract(epoch FROM now() - "
    "coalesce(s.last_ended, s.last_started)) AS last_age_secs "
    "FROM df_status($1) s";

/* The value of column name in row i of r, or NULL. */
static const char *
col(const struct db_result *r, int i, const char *name)
{
	return db_value(r, i, db_colnum(r, name));
}

static long long
col_ll(const struct db_result *r, int i, const char *name)
{
	const char	*v = col(r, i, name);

	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

/* One word for what a job is doing: paused, busy, running, ready, idle. */
static const char *
status_state(const struct db_result *r, int i)
{
	const char	*max = col(r, i, "max_running");

	if (strcmp(col(r, i, "paused"), "t") == 0)
		return "paused";
	if (max != NULL && col_ll(r, i, "running") >= strtoll(max, NULL, 10))
		return "busy";
	if (col_ll(r, i, "running") > 0)
		return "running";
	if (col_ll(r, i, "claimable") > 0)
		return "ready";
	return "idle";
}

static json_t *
status_json(const struct db_result *r)
{
	json_t	*a = json_array(), *o, *x;
	int	 i;

	for (i = 0; i < db_rows(r); i++) {
		o = json_object();
		json_object_set_new(o, "jobid", cmd_json_str(col(r, i,
		    "jobid")));
		json_object_set_new(o, "state", json_string(status_state(r,
		    i)));
		json_object_set_new(o, "paused", cmd_json_bool(col(r, i,
		    "paused")));
		json_object_set_new(o, "order", cmd_json_str(col(r, i,
		    "run_order")));
		json_object_set_new(o, "max_running", cmd_json_int(col(r, i,
		    "max_running")));
		json_object_set_new(o, "max_attempts", cmd_json_int(col(r, i,
		    "max_attempts")));
		json_object_set_new(o, "owner", cmd_json_str(col(r, i,
		    "owner")));
		json_object_set_new(o, "claimable", cmd_json_int(col(r, i,
		    "claimable")));
		json_object_set_new(o, "ready", cmd_json_int(col(r, i,
		    "ready")));
		json_object_set_new(o, "retrying", cmd_json_int(col(r, i,
		    "retrying")));
		json_object_set_new(o, "waiting", cmd_json_int(col(r, i,
		    "waiting")));
		json_object_set_new(o, "running", cmd_json_int(col(r, i,
		    "running")));
		json_object_set_new(o, "done", cmd_json_int(col(r, i,
		    "done")));
		json_object_set_new(o, "failed", cmd_json_int(col(r, i,
		    "failed")));
		json_object_set_new(o, "skipped", cmd_json_int(col(r, i,
		    "skipped")));
		if (col(r, i, "oldest_dataid") != NULL) {
			x = json_object();
			json_object_set_new(x, "dataid", cmd_json_str(col(r,
			    i, "oldest_dataid")));
			json_object_set_new(x, "state", cmd_json_str(col(r,
			    i, "oldest_state")));
			json_object_set_new(x, "since", cmd_json_str(col(r,
			    i, "oldest_since")));
			json_object_set_new(x, "lag_secs", cmd_json_real(col(r,
			    i, "lag_secs")));
		} else
			x = json_null();
		json_object_set_new(o, "oldest", x);
		if (col(r, i, "last_run_id") != NULL) {
			x = json_object();
			json_object_set_new(x, "run_id", cmd_json_int(col(r,
			    i, "last_run_id")));
			json_object_set_new(x, "dataid", cmd_json_str(col(r,
			    i, "last_dataid")));
			json_object_set_new(x, "status", cmd_json_str(col(r,
			    i, "last_status")));
			json_object_set_new(x, "exit_code", cmd_json_int(col(r,
			    i, "last_exit_code")));
			json_object_set_new(x, "signal", cmd_json_int(col(r,
			    i, "last_signal")));
			json_object_set_new(x, "started", cmd_json_str(col(r,
			    i, "last_started")));
			json_object_set_new(x, "ended", cmd_json_str(col(r,
			    i, "last_ended")));
			json_object_set_new(x, "duration_secs",
			    cmd_json_real(col(r, i, "last_duration_secs")));
		} else
			x = json_null();
		json_object_set_new(o, "last_run", x);
		json_array_append_new(a, o);
	}
	return json_pack("{s:o}", "jobs", a);
}

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
		table_add(t, col(r, i, "jobid"));
		table_add(t, status_state(r, i));
		table_add(t, col(r, i, "claimable"));
		table_add(t, col(r, i, "retrying"));
		if ((v = col(r, i, "max_running")) != NULL)
			table_addf(t, "%s/%s", col(r, i, "running"), v);
		else
			table_add(t, col(r, i, "running"));
		table_add(t, col(r, i, "done"));
		table_add(t, col(r, i, "failed"));
		table_add(t, col(r, i, "waiting"));
		table_add(t, col(r, i, "oldest_dataid"));
		table_add(t, cmd_duration(col(r, i, "lag_secs"), buf,
		    sizeof(buf)));
		if (col(r, i, "last_run_id") == NULL) {
			table_add(t, NULL);
			table_add(t, NULL);
			table_add(t, NULL);
			continue;
		}
		table_addf(t, "#%s %s ago", col(r, i, "last_run_id"),
		    cmd_duration(col(r, i, "last_age_secs"), buf,
		    sizeof(buf)));
		if ((v = col(r, i, "last_signal")) != NULL)
			table_addf(t, "%s (signal %s)", col(r, i,
			    "last_status"), v);
		else if ((v = col(r, i, "last_exit_code")) != NULL &&
		    strcmp(v, "0") != 0)
			table_addf(t, "%s (exit %s)", col(r, i,
			    "last_status"), v);
		else
			table_add(t, col(r, i, "last_status"));
		table_add(t, cmd_duration(col(r, i, "last_duration_secs"),
		    buf, sizeof(buf)));
	}
	cmd_table_print(t);
}

/* The grid cell of a state (a JSON string or null). */
static char
grid_char(json_t *state)
{
	size_t	 i;

	if (!json_is_string(state))
		return ' ';
	for (i = 0; i < sizeof(grid_cells) / sizeof(grid_cells[0]); i++)
		if (strcmp(json_string_value(state), grid_cells[i].state) == 0)
			return grid_cells[i].c;
	return '?';
}

/* Return the cells of the last ncols of states as a string; caller frees. */
static char *
grid_row(json_t *states, size_t ncols)
{
	size_t	 n = json_array_size(states), i, first;
	char	*row;

	first = n > ncols ? n - ncols : 0;
	row = xcalloc(n - first + 1, 1);
	for (i = first; i < n; i++)
		row[i - first] = grid_char(json_array_get(states, i));
	return row;
}

/* The label of a job's row. */
static char *
grid_name(const struct db_result *r, int i)
{
	if (strcmp(col(r, i, "paused"), "t") == 0)
		return xasprintf("%s (paused)", col(r, i, "jobid"));
	return xstrdup(col(r, i, "jobid"));
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

/* Return the width of the job names' column. */
static int
grid_width(const struct db_result *r)
{
	char	*name;
	int	 width = 3, i;	/* "JOB" */

	for (i = 0; i < db_rows(r); i++) {
		name = grid_name(r, i);
		if ((int)strlen(name) > width)
			width = (int)strlen(name);
		free(name);
	}
	return width;
}

/*
 * Return how many of the n dataids to show: limit (0: all), or with -1
 * as many as fit GRID_WIDTH columns beside names width wide.
 */
static size_t
grid_ncols(size_t n, long limit, int width)
{
	size_t	 ncols;

	if (limit > 0)
		ncols = (size_t)limit;
	else if (limit == 0)
		ncols = n;
	else if (GRID_WIDTH - width - 2 > 0)
		ncols = (size_t)(GRID_WIDTH - width - 2);
	else
		ncols = 1;
	return ncols < n ? ncols : n;
}

static void
grid_text(const struct db_result *r, json_t *ids, long limit)
{
	json_t		*states;
	size_t		 ncols, n = json_array_size(ids), k, len;
	char		*name, *row, item[32];
	int		 width, i, end;

	width = grid_width(r);
	ncols = grid_ncols(n, limit, width);
	grid_header(ids, n - ncols, width);
	for (i = 0; i < db_rows(r); i++) {
		states = cmd_json_parse(col(r, i, "states"));
		name = grid_name(r, i);
		row = grid_row(states, ncols);
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
	/* The legend, in lines that fit GRID_WIDTH. */
	len = 0;
	for (k = 0; k <= sizeof(grid_cells) / sizeof(grid_cells[0]); k++) {
		if (k < sizeof(grid_cells) / sizeof(grid_cells[0]))
			snprintf(item, sizeof(item), "%c %s", grid_cells[k].c,
			    grid_cells[k].state);
		else
			strlcpy(item, "(blank) no work", sizeof(item));
		if (len > 0 && len + 2 + strlen(item) > GRID_WIDTH) {
			putchar('\n');
			len = 0;
		}
		printf("%s%s", len == 0 ? "" : "  ", item);
		len += (len == 0 ? 0 : 2) + strlen(item);
	}
	putchar('\n');
}

static json_t *
grid_json(const struct db_result *r, json_t *ids, long limit)
{
	json_t	*a = json_array(), *o, *states, *cols;
	size_t	 n = json_array_size(ids), ncols, first, k;
	char	*row;
	int	 i;

	ncols = grid_ncols(n, limit, grid_width(r));
	first = n - ncols;
	cols = json_array();
	for (k = first; k < n; k++)
		json_array_append(cols, json_array_get(ids, k));
	for (i = 0; i < db_rows(r); i++) {
		states = cmd_json_parse(col(r, i, "states"));
		o = json_object();
		json_object_set_new(o, "jobid", cmd_json_str(col(r, i,
		    "jobid")));
		json_object_set_new(o, "paused", cmd_json_bool(col(r, i,
		    "paused")));
		row = grid_row(states, ncols);
		json_object_set_new(o, "cells", json_string(row));
		free(row);
		/* The states of the columns shown. */
		while (json_array_size(states) > ncols)
			json_array_remove(states, 0);
		json_object_set_new(o, "states", states);
		json_array_append_new(a, o);
	}
	return json_pack("{s:o, s:o}", "dataids", cols, "jobs", a);
}

/*
 * Print the grid of the jobs (or jobid) over their newest partitions:
 * limit of them (0: all), or with -1 as many as fit GRID_WIDTH columns.
 * Return the exit status.
 */
static int
status_grid(struct global_opts *g, struct db *db, const char *jobid,
    long limit)
{
	struct db_error		 e = { 0 };
	struct db_result	*r;
	const char		*p[2];
	char			 limbuf[24];
	json_t			*ids;
	int			 status;

	/* As many as could ever fit: the rest is cut once names are known. */
	snprintf(limbuf, sizeof(limbuf), "%ld", limit < 0 ? GRID_WIDTH :
	    limit);
	p[0] = jobid;
	p[1] = limit == 0 ? NULL : limbuf;
	if ((r = db_query(db, grid_sql, 2, p, &e)) == NULL) {
		status = cmd_db_fail("read the status", &e);
		db_error_clear(&e);
		return status;
	}
	if (jobid != NULL && db_rows(r) == 0) {
		warnx("unknown job \"%s\"", jobid);
		db_result_free(r);
		return EXIT_CONFIG;
	}
	ids = db_rows(r) > 0 ? cmd_json_parse(col(r, 0, "dataids")) :
	    json_array();
	if (g->json)
		cmd_json_print(grid_json(r, ids, limit));
	else if (db_rows(r) == 0)
		printf("no jobs: declare them with \"dataflow apply\"\n");
	else
		grid_text(r, ids, limit);
	json_decref(ids);
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
	const char		*p[1], *jobid = NULL;
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
	if (grid) {
		status = status_grid(g, db, jobid, limit);
		goto out;
	}
	p[0] = jobid;
	if ((r = db_query(db, status_sql, 1, p, &e)) == NULL) {
		status = cmd_db_fail("read the status", &e);
		goto out;
	}
	if (jobid != NULL && db_rows(r) == 0) {
		warnx("unknown job \"%s\"", jobid);
		status = EXIT_CONFIG;
		goto out;
	}
	status = EXIT_OK;
	cmd_print_rows(g, r, status_json, status_table,
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
