/* body.c: the request bodies of the API's POST endpoints, checked and
 * turned into the arguments of lib/ops.c and lib/trigger.c. Pure: no
 * database, no HTTP, so that it can be fuzzed. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "body.h"
#include "config.h"
#include "ids.h"
#include "ops.h"
#include "range.h"
#include "trigger.h"
#include "xmalloc.h"

/* The members each kind takes. */
static const char *const ready_members[] = {
	"dataids", "from", "to", "daily", "step", "reason", NULL
};
static const char *const resubmit_members[] = {
	"dataids", "from", "to", "daily", "step", "failed", "downstream",
	"dry_run", "reason", NULL
};
static const char *const pause_members[] = { "reason", NULL };
static const char *const trigger_members[] = {
	"params", "label", "dataid", NULL
};
static const char *const match_members[] = {
	"match", "params", "label", "dataid", NULL
};

static const char *const *const body_members[] = {
	[BODY_READY] = ready_members,
	[BODY_RESUBMIT] = resubmit_members,
	[BODY_PAUSE] = pause_members,
	[BODY_TRIGGER] = trigger_members,
	[BODY_TRIGGER_MATCH] = match_members,
};

int
body_depth(const char *text, size_t len)
{
	size_t	 i;
	int	 depth = 0, deepest = 0;
	bool	 str = false;

	for (i = 0; i < len; i++) {
		if (str) {
			if (text[i] == '\\')
				i++;
			else if (text[i] == '"')
				str = false;
		} else if (text[i] == '"')
			str = true;
		else if (text[i] == '[' || text[i] == '{') {
			if (++depth > deepest)
				deepest = depth;
		} else if ((text[i] == ']' || text[i] == '}') && depth > 0)
			depth--;
	}
	return deepest;
}

/*
 * Set *errp to the formatted message, made one line of printable ASCII
 * (the answer's "error" is one line and a JSON string): jansson quotes the
 * input near a parse error and a member's name may hold any character, so
 * a newline, a control byte or a piece of a UTF-8 sequence cut at the
 * buffer's end becomes '?' (found by fuzz_body). Return -1.
 */
static int
body_fail(char **errp, const char *fmt, ...)
    __attribute__((__format__(__printf__, 2, 3)));

static int
body_fail(char **errp, const char *fmt, ...)
{
	va_list	 ap;
	char	 buf[512], *c;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (c = buf; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	*errp = xstrdup(buf);
	return -1;
}

/* Refuse a member of o that kind does not take. */
static int
body_members_check(enum body_kind kind, json_t *o, char **errp)
{
	const char *const	*m;
	const char		*key;
	json_t			*v;

	json_object_foreach(o, key, v) {
		for (m = body_members[kind]; *m != NULL; m++)
			if (strcmp(*m, key) == 0)
				break;
		if (*m == NULL)
			return body_fail(errp, "\"%.64s\": unknown member",
			    key);
	}
	return 0;
}

/* Copy the string member name of o into *out (NULL when absent), at most
 * max bytes. */
static int
body_string(json_t *o, const char *name, size_t max, char **out,
    char **errp)
{
	json_t	*v = json_object_get(o, name);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return body_fail(errp, "\"%s\": must be a string", name);
	if (json_string_length(v) > max)
		return body_fail(errp, "\"%s\": longer than %zu bytes", name,
		    max);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return body_fail(errp, "\"%s\": contains a NUL", name);
	*out = xstrdup(json_string_value(v));
	return 0;
}

/* Take the boolean member name of o into *out (false when absent). */
static int
body_bool(json_t *o, const char *name, bool *out, char **errp)
{
	json_t	*v = json_object_get(o, name);

	*out = false;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return body_fail(errp, "\"%s\": must be true or false", name);
	*out = json_is_true(v);
	return 0;
}

/* Append the array "dataids" of o to a->ids. */
static int
body_dataids(json_t *o, struct body_args *a, char **errp)
{
	json_t		*arr = json_object_get(o, "dataids"), *v;
	const char	*s;
	size_t		 i, n;

	if (arr == NULL)
		return 0;
	if (!json_is_array(arr))
		return body_fail(errp, "\"dataids\": must be an array of "
		    "strings");
	if ((n = json_array_size(arr)) == 0)
		return body_fail(errp, "\"dataids\": must not be empty");
	if (n > BODY_MAXIDS)
		return body_fail(errp, "\"dataids\": more than %d", BODY_MAXIDS);
	a->ids = xcalloc(n + 1, sizeof(*a->ids));
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return body_fail(errp, "\"dataids\"[%zu]: must be a "
			    "string", i);
		s = json_string_value(v);
		if (strlen(s) != json_string_length(v) || !dataid_valid(s))
			return body_fail(errp, "\"dataids\"[%zu]: \"%.64s\" is "
			    "not a valid dataid", i, s);
		a->ids[a->nids++] = xstrdup(s);
	}
	return 0;
}

/* The step of a range: an integer from 1 on, or 0 when absent. */
static int
body_step(json_t *o, long *step, char **errp)
{
	json_t	*v = json_object_get(o, "step");

	*step = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > LONG_MAX)
		return body_fail(errp, "\"step\": must be an integer from 1");
	*step = (long)json_integer_value(v);
	return 0;
}

/* Append the range from, to (daily | step) of o to a->ids. */
static int
body_range(json_t *o, struct body_args *a, char **errp)
{
	char	*from = NULL, *to = NULL, **range = NULL, *err = NULL;
	size_t	 n = 0, i;
	long	 step;
	bool	 daily;
	int	 rc = -1;

	if (body_string(o, "from", CONFIG_MAXVALUE, &from, errp) == -1 ||
	    body_string(o, "to", CONFIG_MAXVALUE, &to, errp) == -1 ||
	    body_bool(o, "daily", &daily, errp) == -1 ||
	    body_step(o, &step, errp) == -1)
		goto out;
	if (from == NULL && to == NULL && !daily && step == 0) {
		rc = 0;
		goto out;
	}
	if (from == NULL || to == NULL || daily == (step > 0)) {
		body_fail(errp, "a range needs \"from\", \"to\" and one of "
		    "\"daily\": true or \"step\"");
		goto out;
	}
	if ((range = range_expand(from, to, daily ? RANGE_DAILY : RANGE_STEP,
	    step, &n, &err)) == NULL) {
		body_fail(errp, "\"from\", \"to\": %s", err);
		goto out;
	}
	if (a->nids + n > BODY_MAXIDS) {
		body_fail(errp, "more than %d dataids", BODY_MAXIDS);
		goto out;
	}
	a->ids = xreallocarray(a->ids, a->nids + n + 1, sizeof(*a->ids));
	for (i = 0; i < n; i++) {
		a->ids[a->nids++] = range[i];
		range[i] = NULL;
	}
	a->ids[a->nids] = NULL;
	rc = 0;
out:
	range_free(range);
	free(err);
	free(from);
	free(to);
	return rc;
}

/* The partitions of ready and resubmit. */
static int
body_partitions(enum body_kind kind, json_t *o, struct body_args *a,
    char **errp)
{
	if (body_dataids(o, a, errp) == -1 || body_range(o, a, errp) == -1 ||
	    body_string(o, "reason", OPS_REASON_MAX, &a->reason, errp) == -1)
		return -1;
	if (kind == BODY_RESUBMIT) {
		if (body_bool(o, "failed", &a->failed, errp) == -1 ||
		    body_bool(o, "downstream", &a->downstream, errp) == -1 ||
		    body_bool(o, "dry_run", &a->dry_run, errp) == -1)
			return -1;
		if (a->nids == 0 && !a->failed)
			return body_fail(errp, "name the partitions: "
			    "\"dataids\", a range or \"failed\": true");
	} else if (a->nids == 0)
		return body_fail(errp, "name the partitions: \"dataids\" or "
		    "a range");
	return 0;
}

/* The "match" object of o: tag names and string values. */
static int
body_match(json_t *o, struct body_args *a, char **errp)
{
	json_t		*m = json_object_get(o, "match"), *v;
	const char	*key;

	if (m == NULL || !json_is_object(m) || json_object_size(m) == 0)
		return body_fail(errp, "\"match\": must be an object of one "
		    "or more TAG: \"VALUE\"");
	a->tags = xcalloc(json_object_size(m), sizeof(*a->tags));
	json_object_foreach(m, key, v) {
		if (!ident_valid(key))
			return body_fail(errp, "\"match\": \"%.64s\" is not a "
			    "valid tag name", key);
		if (!json_is_string(v) ||
		    json_string_length(v) > CONFIG_MAXVALUE ||
		    strlen(json_string_value(v)) != json_string_length(v))
			return body_fail(errp, "\"match\".%s: must be a string "
			    "of at most %d bytes", key, CONFIG_MAXVALUE);
		a->tags[a->ntags].key = xstrdup(key);
		a->tags[a->ntags++].value = xstrdup(json_string_value(v));
	}
	return 0;
}

/* The items of a trigger: "params" (as a params file), "dataid". */
static int
body_trigger(enum body_kind kind, json_t *o, const char *const *allow,
    struct body_args *a, char **errp)
{
	json_t	*params = json_object_get(o, "params");
	char	*text, *dataid = NULL, *err = NULL;
	int	 rc;

	if (kind == BODY_TRIGGER_MATCH && body_match(o, a, errp) == -1)
		return -1;
	if (body_string(o, "label", CONFIG_MAXVALUE, &a->label, errp) == -1 ||
	    body_string(o, "dataid", CONFIG_MAXVALUE, &dataid, errp) == -1)
		return -1;
	a->items = trigger_items_new();
	rc = 0;
	if (params != NULL && !json_is_null(params)) {
		if (!json_is_object(params) && !json_is_array(params)) {
			free(dataid);
			return body_fail(errp, "\"params\": must be an object "
			    "or an array of objects");
		}
		text = json_dumps(params, JSON_COMPACT | JSON_PRESERVE_ORDER);
		rc = trigger_items_load(a->items, text, strlen(text), allow,
		    &err);
		free(text);
	}
	if (rc == -1)
		body_fail(errp, "\"params\": %s", err);
	else if (dataid != NULL && (rc = trigger_items_dataid(a->items, dataid,
	    &err)) == -1)
		body_fail(errp, "\"dataid\": %s", err);
	free(err);
	free(dataid);
	return rc;
}

int
body_parse(enum body_kind kind, const char *text, size_t len,
    const char *const *allow, struct body_args *a, char **errp)
{
	json_error_t	 jerr;
	json_t		*o;
	int		 rc = -1;

	memset(a, 0, sizeof(*a));
	*errp = NULL;
	if (text == NULL || len == 0) {
		text = "{}";
		len = 2;
	}
	if (body_depth(text, len) > BODY_MAXDEPTH)
		return body_fail(errp, "the body is nested deeper than %d",
		    BODY_MAXDEPTH);
	if ((o = json_loadb(text, len, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_ANY, &jerr)) == NULL)
		return body_fail(errp, "malformed JSON: %s (line %d, column "
		    "%d)", jerr.text, jerr.line, jerr.column);
	if (!json_is_object(o))
		body_fail(errp, "the body must be a JSON object");
	else if (body_members_check(kind, o, errp) == -1)
		;
	else if (kind == BODY_READY || kind == BODY_RESUBMIT)
		rc = body_partitions(kind, o, a, errp);
	else if (kind == BODY_PAUSE)
		rc = body_string(o, "reason", OPS_REASON_MAX, &a->reason,
		    errp);
	else
		rc = body_trigger(kind, o, allow, a, errp);
	json_decref(o);
	return rc;
}

void
body_args_clear(struct body_args *a)
{
	size_t	 i;

	for (i = 0; i < a->nids; i++)
		free(a->ids[i]);
	free(a->ids);
	free(a->reason);
	free(a->label);
	trigger_items_free(a->items);
	config_kv_free(a->tags, a->ntags);
	memset(a, 0, sizeof(*a));
}
