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
#include "config.h"
#include "config_encode.h"
#include "db.h"
#include "exitcodes.h"
#include "ids.h"
#include "listing.h"
#include "settings.h"
#include "table.h"
#include "xmalloc.h"

#define GRID_MAXHEAD	8	/* dataid suffixes printed down the columns */

/* Add the rows of r (listing_status) to the status table t. */
static void
status_rows(struct table *t, const struct db_result *r)
{
	const char	*v;
	char		 buf[32];
	int		 i;

	for (i = 0; i < db_rows(r); i++) {
		table_add(t, db_col(r, i, "jobid"));
		table_add(t, db_col(r, i, "state"));
		table_add(t, db_col(r, i, "claimable"));
		table_add(t, db_col(r, i, "ready"));
		table_add(t, db_col(r, i, "retrying"));
		if ((v = db_col(r, i, "max_running")) != NULL)
			table_addf(t, "%s/%s", db_col(r, i, "running"), v);
		else
			table_add(t, db_col(r, i, "running"));
		table_add(t, db_col(r, i, "done"));
		table_add(t, db_col(r, i, "failed"));
		table_add(t, db_col(r, i, "waiting"));
		table_add(t, db_col(r, i, "skipped"));
		table_add(t, db_col(r, i, "oldest_dataid"));
		table_add(t, cmd_duration(db_col(r, i, "lag_secs"), buf,
		    sizeof(buf)));
		if (db_col(r, i, "last_run_id") == NULL) {
			table_add(t, NULL);
			table_add(t, NULL);
			table_add(t, NULL);
			continue;
		}
		/* A run still going says so: not "#9938 - ago". */
		if (db_col(r, i, "last_ended") == NULL)
			table_addf(t, "#%s running", db_col(r, i,
			    "last_run_id"));
		else
			table_addf(t, "#%s %s", db_col(r, i, "last_run_id"),
			    cmd_ago(db_col(r, i, "last_age_secs"), buf,
			    sizeof(buf)));
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
}

/* Return a new status table, with its headers and alignment. */
static struct table *
status_table(void)
{
	static const char *const headers[] = {
		"JOB", "STATE", "CLAIMABLE", "READY", "RETRYING", "RUNNING",
		"DONE", "FAILED", "WAITING", "SKIPPED", "OLDEST", "LAG",
		"LAST RUN", "OUTCOME", "DURATION"
	};
	struct table	*t;
	size_t		 c;

	t = table_new(sizeof(headers) / sizeof(headers[0]), headers);
	for (c = 2; c <= 9; c++)
		table_align(t, c, TABLE_RIGHT);
	table_align(t, 11, TABLE_RIGHT);
	table_align(t, 14, TABLE_RIGHT);
	return t;
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

/* The jobs a status is about: those named, or matched by --match. */
struct status_jobs {
	const char	**ids;
	size_t		  n;
	struct db_result *matched;	/* what ids points into, with --match */
};

/*
 * Set sj to the jobs whose tags include every pair of tags[0..ntags-1];
 * return EXIT_OK, or say why and return the exit status (none matches:
 * a configuration error, as trigger --match).
 */
static int
status_match(struct db *db, const struct cfg_kv *tags, size_t ntags,
    struct status_jobs *sj)
{
	struct db_error	 e = { 0 };
	char		*text, *pairs;
	size_t		 k;
	int		 i, rc;

	text = config_kv_text(tags, ntags);
	rc = listing_match_jobs(db, text, &sj->matched, &e);
	free(text);
	if (rc == -1) {
		rc = cmd_db_fail("read the jobs' tags", &e);
		db_error_clear(&e);
		return rc;
	}
	if (db_rows(sj->matched) == 0) {
		pairs = xstrdup("");
		for (k = 0; k < ntags; k++) {
			text = pairs;
			pairs = xasprintf("%s%s%s=%s", text, k > 0 ? ", " :
			    "", tags[k].key, tags[k].value);
			free(text);
		}
		warnx("--match: no job has the tags %s", pairs);
		free(pairs);
		return EXIT_CONFIG;
	}
	sj->n = (size_t)db_rows(sj->matched);
	free(sj->ids);		/* status_named's, of no job */
	sj->ids = xcalloc(sj->n, sizeof(*sj->ids));
	for (i = 0; i < db_rows(sj->matched); i++)
		sj->ids[i] = db_value(sj->matched, i, 0);
	return EXIT_OK;
}

/* Print the status of the jobs sj (none: every job) as JSON; return the
 * exit status. One document: {"jobs": [...]}, in the order given. */
static int
status_json(struct db *db, const struct status_jobs *sj)
{
	struct db_error	 e = { 0 };
	json_t		*doc = NULL, *one;
	char		*json;
	size_t		 k;
	int		 rc;

	if (sj->n <= 1) {
		rc = listing_status_json(db, sj->n == 0 ? NULL : sj->ids[0],
		    &json, &e);
		return cmd_print_json("read the status", rc, json, &e);
	}
	for (k = 0; k < sj->n; k++) {
		if (listing_status_json(db, sj->ids[k], &json, &e) == -1) {
			json_decref(doc);
			return cmd_print_json("read the status", -1, NULL,
			    &e);
		}
		one = cmd_json_parse(json);
		free(json);
		if (doc == NULL)
			doc = json_incref(one);
		else
			json_array_extend(json_object_get(doc, "jobs"),
			    json_object_get(one, "jobs"));
		json_decref(one);
	}
	cmd_json_print(doc);
	return EXIT_OK;
}

/* Print the status table of the jobs sj (none: every job); return the
 * exit status. Nothing is printed unless every job is known. */
static int
status_text(struct db *db, const struct status_jobs *sj)
{
	struct db_error		 e = { 0 };
	struct db_result	*r;
	struct table		*t;
	size_t			 k, n = sj->n == 0 ? 1 : sj->n;
	int			 rows = 0, status;

	t = status_table();
	for (k = 0; k < n; k++) {
		if (listing_status(db, sj->n == 0 ? NULL : sj->ids[k], &r,
		    &e) == -1) {
			table_free(t);
			status = cmd_db_fail("read the status", &e);
			db_error_clear(&e);
			return status;
		}
		rows += db_rows(r);
		status_rows(t, r);
		db_result_free(r);
	}
	if (rows == 0) {
		table_free(t);
		printf("no jobs: declare them with \"dataflow apply\"\n");
	} else
		cmd_table_print(t);
	return EXIT_OK;
}

/* Check the jobs named, and drop those named twice; 0 or -1 (usage). */
static int
status_named(char **argv, int argc, struct status_jobs *sj)
{
	size_t	 k;
	int	 i;

	sj->ids = xcalloc((size_t)argc + 1, sizeof(*sj->ids));
	for (i = 0; i < argc; i++) {
		if (!ident_valid(argv[i])) {
			warnx("\"%s\" is not a valid job id", argv[i]);
			return -1;
		}
		for (k = 0; k < sj->n && strcmp(sj->ids[k], argv[i]) != 0;
		    k++)
			;
		if (k == sj->n)
			sj->ids[sj->n++] = argv[i];
	}
	return 0;
}

static int
cmd_status_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_GRID = 256, OPT_LIMIT, OPT_MATCH };
	static const struct option longopts[] = {
		{ "grid",	no_argument,		NULL, OPT_GRID },
		{ "limit",	required_argument,	NULL, OPT_LIMIT },
		{ "match",	required_argument,	NULL, OPT_MATCH },
		{ NULL,		0,			NULL, 0 }
	};
	struct status_jobs	 sj = { NULL, 0, NULL };
	struct cfg_kv		*tags = NULL;
	struct settings		*s = NULL;
	struct db		*db = NULL;
	size_t			 ntags = 0;
	long			 limit = -1;
	bool			 grid = false;
	int			 ch, status = EXIT_USAGE;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_GRID:
			grid = true;
			break;
		case OPT_LIMIT:
			if (cmd_parse_limit(optarg, &limit) == -1)
				goto usage;
			break;
		case OPT_MATCH:
			if (cmd_tag_add(&tags, &ntags, optarg) == -1)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (limit != -1 && !grid) {
		warnx("--limit goes with --grid");
		goto usage;
	}
	if (ntags > 0 && optind < argc) {
		warnx("give jobs or --match, not both");
		goto usage;
	}
	if (grid && (ntags > 0 || argc - optind > 1)) {
		warnx("--grid takes one job at most");
		goto usage;
	}
	if (status_named(argv + optind, argc - optind, &sj) == -1)
		goto out;
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		goto out;
	cmd_schema_warn(db);
	if (ntags > 0 && (status = status_match(db, tags, ntags,
	    &sj)) != EXIT_OK)
		goto out;
	if (grid)
		status = status_grid(g, db, sj.n == 0 ? NULL : sj.ids[0],
		    limit);
	else if (g->json)
		status = status_json(db, &sj);
	else
		status = status_text(db, &sj);
out:
	free(sj.ids);
	db_result_free(sj.matched);
	config_kv_free(tags, ntags);
	db_close(db);
	settings_free(s);
	return status;
usage:
	config_kv_free(tags, ntags);
	return cmd_usage(&cmd_status_entry);
}

const struct cmd_entry cmd_status_entry = {
	"status", "[--grid [--limit N]] [JOB... | --match TAG=VALUE...]",
	"per job: claimable, ready, running, done, failed, lag, last run",
	cmd_status_exec
};
