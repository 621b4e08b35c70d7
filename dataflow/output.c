/* output.c: what the operations subcommands share: JSON values from SQL
 * text, tables, times, durations and database errors. */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "table.h"

int
cmd_db_fail(const char *what, const struct db_error *e)
{
	int	 status = db_error_exit(e);

	if (e->kind == DB_ERR_SCHEMA)
		warnx("could not %s: %s (run \"dataflow init\")", what,
		    e->message);
	else if (strcmp(e->sqlstate, "DF001") == 0)
		warnx("%s", e->message);
	else
		warnx("could not %s: %s", what, e->message);
	if (status == EXIT_OK || status == EXIT_SOFTWARE)
		status = EXIT_FAIL;
	return status;
}

void
cmd_json_print(json_t *o)
{
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(12));
	fputc('\n', stdout);
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
cmd_json_real(const char *v)
{
	double	 d;

	if (v == NULL)
		return json_null();
	/* Milliseconds are enough for durations and lags. */
	d = strtod(v, NULL) * 1000;
	d = (double)(long long)(d < 0 ? d - 0.5 : d + 0.5);
	return json_real(d / 1000);
}

json_t *
cmd_json_bool(const char *v)
{
	return v != NULL ? json_boolean(strcmp(v, "t") == 0) : json_null();
}

json_t *
cmd_json_parse(const char *v)
{
	json_t	*o;

	if (v == NULL || (o = json_loads(v, JSON_DECODE_ANY, NULL)) == NULL)
		return json_null();
	return o;
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
