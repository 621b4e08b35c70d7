/* test_trigger.c: unit tests for lib/trigger.c: the items of "dataflow
 * trigger" from a params file, --param and --dataid, and --match; see
 * data/trigger.tsv. The call and the wait are tested against PostgreSQL
 * (tests/integration/trigger.test). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "trigger.h"
#include "xmalloc.h"
#include "tsv.h"

/* Apply the case's file, params and dataid; return the JSON or the first
 * error (caller frees), *failed saying which. */
static char *
build(const struct tcase *c, bool *failed)
{
	struct trigger_items	*ti = trigger_items_new();
	char			*err = NULL, *params, *p, *out;
	int			 rc = 0;

	if (strcmp(c->f[1], "-") != 0)
		rc = trigger_items_load(ti, c->f[1], strlen(c->f[1]), NULL,
		    &err);
	params = xstrdup(c->f[2]);
	for (p = strtok(params, " "); rc == 0 && p != NULL &&
	    strcmp(p, "-") != 0; p = strtok(NULL, " "))
		rc = trigger_items_param(ti, p, NULL, &err);
	free(params);
	if (rc == 0 && strcmp(c->f[3], "-") != 0)
		rc = trigger_items_dataid(ti, c->f[3], &err);
	*failed = rc == -1;
	if (rc == -1)
		out = err;
	else {
		assert_null(err);
		out = trigger_items_json(ti);
	}
	trigger_items_free(ti);
	return out;
}

/* Parse the case's --match; return "TAG|VALUE" or the error (caller
 * frees), *failed saying which. */
static char *
tag(const struct tcase *c, bool *failed)
{
	struct cfg_kv	 kv = { NULL, NULL };
	char		*err = NULL, *out;

	*failed = trigger_tag_parse(c->f[1], &kv, &err) == -1;
	if (*failed) {
		assert_null(kv.key);
		return err;
	}
	assert_null(err);
	out = xasprintf("%s|%s", kv.key, kv.value);
	free(kv.key);
	free(kv.value);
	return out;
}

static void
test_table(void **state)
{
	const struct tcase	*c = *state;
	bool			 failed;
	char			*got;

	if (strcmp(c->f[0], "items") == 0)
		got = build(c, &failed);
	else if (strcmp(c->f[0], "tag") == 0)
		got = tag(c, &failed);
	else
		fail_msg("unknown kind \"%s\"", c->f[0]);
	assert_non_null(got);
	if (c->f[4][0] == '!') {
		assert_true(failed);
		assert_string_equal(got, c->f[4] + 1);
	} else {
		assert_false(failed);
		assert_string_equal(got, c->f[4]);
	}
	free(got);
}

/* What a host allows widens the names; a fixed refusal stays. */
static void
test_allow(void **state)
{
	static const char *const allow[] = { "PYTHONPATH", "PATH", NULL };
	struct trigger_items	*ti = trigger_items_new();
	char			*err = NULL;

	(void)state;
	assert_int_equal(trigger_items_param(ti, "PYTHONPATH=/x", NULL,
	    &err), -1);
	assert_non_null(strstr(err, "a host may allow it with env_allow="));
	free(err);
	err = NULL;
	assert_int_equal(trigger_items_param(ti, "PYTHONPATH=/x", allow,
	    &err), 0);
	assert_int_equal(trigger_items_param(ti, "PATH=/x", allow, &err), -1);
	assert_null(strstr(err, "env_allow"));
	free(err);
	trigger_items_free(ti);
}

/* A params file is taken once; a value has at most CONFIG_MAXVALUE. */
static void
test_limits(void **state)
{
	struct trigger_items	*ti = trigger_items_new();
	char			*err = NULL, *arg;

	(void)state;
	assert_int_equal(trigger_items_count(ti), 1);
	assert_int_equal(trigger_items_load(ti, "[{}, {}]", 8, NULL, &err), 0);
	assert_int_equal(trigger_items_count(ti), 2);
	assert_int_equal(trigger_items_load(ti, "{}", 2, NULL, &err), -1);
	assert_string_equal(err, "only one params file");
	free(err);
	arg = xmalloc(4096 + 4);
	memcpy(arg, "A=", 2);
	memset(arg + 2, 'x', 4096);
	arg[4098] = '\0';
	assert_int_equal(trigger_items_param(ti, arg, NULL, &err), 0);
	arg[4098] = 'x';
	arg[4099] = '\0';
	assert_int_equal(trigger_items_param(ti, arg, NULL, &err), -1);
	assert_string_equal(err, "--param A: value longer than 4096 bytes");
	free(err);
	free(arg);
	trigger_items_free(ti);
	trigger_items_free(NULL);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_allow),
		cmocka_unit_test(test_limits),
	};

	return tsv_run_group("trigger", fixed, sizeof fixed / sizeof fixed[0],
	    TEST_DATADIR "/trigger.tsv", 5, test_table);
}
