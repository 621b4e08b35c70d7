/* test_ids.c: unit tests for lib/ids.c; the cases live in data/ids.tsv. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ids.h"
#include "xmalloc.h"
#include "tsv.h"

static void
test_table(void **state)
{
	/* The host of "allowed" rows: env_allow=PGHOST,http_proxy,PERL5LIB */
	static const char *const allow[] = {
		"PGHOST", "http_proxy", "PERL5LIB", "PATH", NULL
	};
	const struct tcase	*c = *state;
	bool			 want, got = false;

	if (strcmp(c->f[2], "yes") != 0 && strcmp(c->f[2], "no") != 0)
		fail_msg("expected must be yes or no, not \"%s\"", c->f[2]);
	want = strcmp(c->f[2], "yes") == 0;
	if (strcmp(c->f[0], "ident") == 0)
		got = ident_valid(c->f[1]);
	else if (strcmp(c->f[0], "dataid") == 0)
		got = dataid_valid(c->f[1]);
	else if (strcmp(c->f[0], "param") == 0)
		got = ident_param_allowed(c->f[1]);
	else if (strcmp(c->f[0], "allowed") == 0)
		got = ident_env_refusal(c->f[1], allow) == NULL;
	else
		fail_msg("unknown rule \"%s\"", c->f[0]);
	assert_int_equal(got, want);
}

/* Return a string of n copies of c followed by tail, caller frees. */
static char *
repeat(char c, size_t n, const char *tail)
{
	char	*s = xmalloc(n + strlen(tail) + 1);

	memset(s, c, n);
	strcpy(s + n, tail);
	return s;
}

static void
test_ident_length(void **state)
{
	char	*s;

	(void)state;
	s = repeat('a', IDENT_MAXLEN, "");
	assert_true(ident_valid(s));
	assert_true(ident_param_allowed(s));
	free(s);
	s = repeat('a', IDENT_MAXLEN + 1, "");
	assert_false(ident_valid(s));
	assert_false(ident_param_allowed(s));
	free(s);
	s = repeat('_', IDENT_MAXLEN - 1, "9");
	assert_true(ident_valid(s));
	free(s);
	s = repeat('_', IDENT_MAXLEN, "9");
	assert_false(ident_valid(s));
	free(s);
}

static void
test_dataid_length(void **state)
{
	char	*s;

	(void)state;
	s = repeat('9', DATAID_MAXLEN, "");
	assert_true(dataid_valid(s));
	free(s);
	s = repeat('9', DATAID_MAXLEN + 1, "");
	assert_false(dataid_valid(s));
	free(s);
	s = repeat('.', DATAID_MAXLEN - 1, "/");
	assert_false(dataid_valid(s));
	free(s);
}

static void
test_null(void **state)
{
	(void)state;
	assert_false(ident_valid(NULL));
	assert_false(dataid_valid(NULL));
	assert_false(ident_param_allowed(NULL));
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_ident_length),
		cmocka_unit_test(test_dataid_length),
		cmocka_unit_test(test_null),
	};

	return tsv_run_group("ids", fixed, sizeof fixed / sizeof fixed[0],
	    TEST_DATADIR "/ids.tsv", 3, test_table);
}
