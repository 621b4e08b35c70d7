/* output.c: what the operations subcommands share: JSON values from SQL
 * text, tables, times, durations, database errors and partition lists. */
#include <err.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "ids.h"
#include "listing.h"
#include "range.h"
#include "table.h"
#include "trigger.h"
#include "xmalloc.h"

int
cmd_db_fail(const char *what, const struct db_error *e)
{
	int	 status = db_error_exit(e);

	/* Not the missing function's signature: what to do. */
	if (e->kind == DB_ERR_SCHEMA)
		warnx("could not %s: the dataflow schema is missing or older "
		    "than this dataflow: run \"dataflow init\"", what);
	else if (strcmp(e->sqlstate, "DF001") == 0)
		warnx("%s", e->message);
	else if (strcmp(e->sqlstate, "42501") == 0)
		warnx("could not %s: %s (see ROLES in dataflow(1))", what,
		    e->message);
	else
		warnx("could not %s: %s", what, e->message);
	if (status == EXIT_OK || status == EXIT_SOFTWARE)
		status = EXIT_FAIL;
	return status;
}

void
cmd_json_print(json_t *o)
{
	char	*text = listing_json_text(o);

	if (text != NULL)
		fputs(text, stdout);
	free(text);
	json_decref(o);
}

json_t *
cmd_json_str(const char *v)
{
	return v != NULL ? json_string(v) : json_null();
}

json_t *
cmd_json_int(const char *v)
{
	return v != NULL ? json_integer(strtoll(v, NULL, 10)) : json_null();
}

json_t *
cmd_json_parse(const char *v)
{
	return listing_json_value(v);
}

int
cmd_parse_limit(const char *arg, long *limit)
{
	const char	*errstr;

	*limit = (long)strtonum(arg, 0, 1000000000, &errstr);
	if (errstr != NULL) {
		warnx("--limit \"%s\" is %s", arg, errstr);
		return -1;
	}
	return 0;
}

const char *
cmd_time(const char *epoch, char *buf, size_t len)
{
	if (epoch == NULL)
		return NULL;
	return table_time((time_t)strtoll(epoch, NULL, 10), buf, len);
}

const char *
cmd_ago(const char *secs, char *buf, size_t len)
{
	char	 d[32];

	if (secs == NULL)
		return NULL;
	/* A clock ahead of the database's gives a negative age: not
	 * "- ago". */
	if (strtod(secs, NULL) < 0.05)
		snprintf(buf, len, "just now");
	else
		snprintf(buf, len, "%s ago", cmd_duration(secs, d,
		    sizeof(d)));
	return buf;
}

void
cmd_show_time(const char *name, const char *iso)
{
	char	 buf[64];

	cmd_show_line(name, table_time_iso(iso, buf, sizeof(buf)));
}

const char *
cmd_duration(const char *secs, char *buf, size_t len)
{
	if (secs == NULL)
		return NULL;
	return table_duration(strtod(secs, NULL), buf, len);
}

void
cmd_table_print(struct table *t)
{
	char	*s = table_render(t);

	fputs(s, stdout);
	free(s);
	table_free(t);
}

void
cmd_print_rows(const struct db_result *r,
    void (*table)(const struct db_result *), const char *empty)
{
	if (db_rows(r) == 0)
		printf("%s\n", empty);
	else
		table(r);
}

int
cmd_print_json(const char *what, int rc, char *json, struct db_error *e)
{
	int	 status;

	if (rc == -1) {
		status = cmd_db_fail(what, e);
		db_error_clear(e);
		return status;
	}
	fputs(json, stdout);
	free(json);
	return EXIT_OK;
}

int
cmd_range_option(struct cmd_partitions *cp, int ch, const char *arg)
{
	const char	*errstr;

	switch (ch) {
	case CMD_OPT_FROM:
		cp->from = arg;
		return 1;
	case CMD_OPT_TO:
		cp->to = arg;
		return 1;
	case CMD_OPT_DAILY:
		cp->daily = true;
		return 1;
	case CMD_OPT_STEP:
		cp->step = (long)strtonum(arg, 1, LONG_MAX, &errstr);
		if (errstr != NULL) {
			warnx("--step \"%s\" is %s", arg, errstr);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

bool
cmd_range_given(const struct cmd_partitions *cp)
{
	return cp->from != NULL || cp->to != NULL || cp->daily ||
	    cp->step > 0;
}

int
cmd_partitions(struct cmd_partitions *cp, char **args, size_t nargs)
{
	size_t	 nrange = 0, i;
	char	*errmsg = NULL;

	cp->ids = cp->range = NULL;
	cp->n = 0;
	if ((cp->from != NULL) != (cp->to != NULL) || (cp->from != NULL &&
	    cp->daily == (cp->step > 0)) ||
	    (cp->from == NULL && (cp->daily || cp->step > 0))) {
		warnx("a range needs --from, --to and one of --daily or "
		    "--step N");
		return -1;
	}
	for (i = 0; i < nargs; i++) {
		if (!dataid_valid(args[i])) {
			warnx("\"%s\" is not a valid dataid", args[i]);
			return -1;
		}
	}
	if (cp->from != NULL && (cp->range = range_expand(cp->from, cp->to,
	    cp->daily ? RANGE_DAILY : RANGE_STEP, cp->step, &nrange,
	    &errmsg)) == NULL) {
		warnx("%s", errmsg);
		free(errmsg);
		return -1;
	}
	cp->n = nargs + nrange;
	cp->ids = xcalloc(cp->n + 1, sizeof(*cp->ids));
	for (i = 0; i < nargs; i++)
		cp->ids[i] = args[i];
	for (i = 0; i < nrange; i++)
		cp->ids[nargs + i] = cp->range[i];
	return 0;
}

void
cmd_partitions_free(struct cmd_partitions *cp)
{
	free(cp->ids);
	range_free(cp->range);
	cp->ids = cp->range = NULL;
	cp->n = 0;
}

void
cmd_show_line(const char *name, const char *value)
{
	char	*safe;

	if (value == NULL)
		return;
	safe = table_safe(value, false);
	printf("%-12s %s\n", name, safe);
	free(safe);
}

void
cmd_show_host(const struct db_result *r)
{
	char	*s;

	s = xasprintf("%s (pid %s, user %s)", db_col(r, 0, "host"),
	    db_col(r, 0, "pid"), db_col(r, 0, "username"));
	cmd_show_line("host", s);
	free(s);
}

int
cmd_tag_add(struct cfg_kv **tags, size_t *ntags, const char *arg)
{
	struct cfg_kv	 kv;
	char		*errmsg = NULL;
	size_t		 i;

	if (trigger_tag_parse(arg, &kv, &errmsg) == -1) {
		warnx("%s", errmsg);
		free(errmsg);
		return -1;
	}
	for (i = 0; i < *ntags; i++) {
		if (strcmp((*tags)[i].key, kv.key) == 0) {
			warnx("--match: tag %s given twice", kv.key);
			free(kv.key);
			free(kv.value);
			return -1;
		}
	}
	*tags = xreallocarray(*tags, *ntags + 1, sizeof(**tags));
	(*tags)[(*ntags)++] = kv;
	return 0;
}
