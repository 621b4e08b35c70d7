/* test_body.c: unit tests for serve/body.c, the API's request bodies; the
 * cases are in data/body.tsv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "body.h"
#include "config.h"
#include "trigger.h"
#include "xmalloc.h"
#include "tsv.h"

static const struct {
	const char	*name;
	enum body_kind	 kind;
} kinds[] = {
	{ "ready",	BODY_READY },
	{ "resubmit",	BODY_RESUBMIT },
	{ "pause",	BODY_PAUSE },
	{ "trigger",	BODY_TRIGGER },
	{ "match",	BODY_TRIGGER_MATCH },
};

/* What a body turned into, as one line to compare with the table. */
static char *
summary(const struct body_args *a)
{
	char	*s, *n, *items = NULL;
	size_t	 i;

	s = xasprintf("n=%zu", a->nids);
	if (a->nids > 0) {
		n = xasprintf("%s first=%s last=%s", s, a->ids[0],
		    a->ids[a->nids - 1]);
		free(s);
		s = n;
	}
	if (a->items != NULL)
		items = trigger_items_json(a->items);
	n = xasprintf("%s%s%s%s%s%s%s%s%s%s", s, a->failed ? " failed" : "",
	    a->downstream ? " downstream" : "", a->dry_run ? " dry_run" : "",
	    a->reason != NULL ? " reason=" : "",
	    a->reason != NULL ? a->reason : "",
	    a->label != NULL ? " label=" : "",
	    a->label != NULL ? a->label : "",
	    items != NULL ? " items=" : "", items != NULL ? items : "");
	free(s);
	free(items);
	s = n;
	for (i = 0; i < a->ntags; i++) {
		n = xasprintf("%s tag:%s=%s", s, a->tags[i].key,
		    a->tags[i].value);
		free(s);
		s = n;
	}
	return s;
}

/* kind, body, and "=SUMMARY" or "!ERROR" (the exact message). */
static void
test_table(void **state)
{
	const struct tcase	*c = *state;
	struct body_args	 a;
	char			*err = NULL, *got;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].name, c->f[0]) == 0)
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		fail_msg("unknown kind \"%s\"", c->f[0]);
	rc = body_parse(kinds[i].kind, c->f[1], strlen(c->f[1]), NULL, &a,
	    &err);
	if (c->f[2][0] == '!') {
		assert_int_equal(rc, -1);
		assert_non_null(err);
		assert_string_equal(err, c->f[2] + 1);
		assert_null(strchr(err, '\n'));
	} else {
		if (rc == -1)
			fail_msg("unexpected error: %s", err);
		assert_null(err);
		got = summary(&a);
		assert_string_equal(got, c->f[2] + 1);
		free(got);
	}
	free(err);
	body_args_clear(&a);
}

/* Nesting: 32 levels pass the depth check, 33 do not; strings do not
 * count. */
static void
test_depth(void **state)
{
	struct body_args	 a;
	char			 buf[256], *err = NULL;
	int			 i;

	(void)state;
	for (i = 0; i < 32; i++)
		buf[i] = '[';
	buf[32] = '\0';
	assert_int_equal(body_depth(buf, strlen(buf)), 32);
	assert_int_equal(body_depth("\"[[[[\"", 6), 0);
	assert_int_equal(body_depth("{\"a\\\"[\": [1]}", 13), 2);
	memset(buf, '[', 40);
	memset(buf + 40, ']', 40);
	buf[80] = '\0';
	assert_int_equal(body_parse(BODY_PAUSE, buf, 80, NULL, &a, &err), -1);
	assert_string_equal(err, "the body is nested deeper than 32");
	free(err);
	body_args_clear(&a);
}

/* A million dataids by a range pass, one more does not. */
static void
test_many(void **state)
{
	struct body_args	 a;
	const char		*ok = "{\"from\": \"0000001\", \"to\": "
	    "\"1000000\", \"step\": 1}";
	const char		*over = "{\"dataids\": [\"x\"], \"from\": "
	    "\"0000001\", \"to\": \"1000000\", \"step\": 1}";
	char			*err = NULL;

	(void)state;
	assert_int_equal(body_parse(BODY_READY, ok, strlen(ok), NULL, &a,
	    &err), 0);
	assert_int_equal(a.nids, BODY_MAXIDS);
	assert_null(a.ids[a.nids]);
	body_args_clear(&a);
	assert_int_equal(body_parse(BODY_READY, over, strlen(over), NULL, &a,
	    &err), -1);
	assert_string_equal(err, "more than 1000000 dataids");
	free(err);
	body_args_clear(&a);
	/* Clearing twice, or an empty one, is harmless. */
	body_args_clear(&a);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_many),
	};

	return tsv_run_group("body", fixed, sizeof(fixed) / sizeof(fixed[0]),
	    TEST_DATADIR "/body.tsv", 3, test_table);
}
