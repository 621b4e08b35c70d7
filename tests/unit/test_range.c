/* test_range.c: unit tests for lib/range.c; the cases are in data/range.tsv. */
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
#include "range.h"
#include "xmalloc.h"
#include "tsv.h"

static void
test_table(void **state)
{
	const struct tcase	*c = *state;
	enum range_kind		 kind = RANGE_STEP;
	char			**ids, *err = NULL, *want, *p, *first, *last;
	size_t			 n = 12345, i, count;

	if (strcmp(c->f[0], "daily") == 0)
		kind = RANGE_DAILY;
	else if (strcmp(c->f[0], "step") == 0)
		kind = RANGE_STEP;
	else
		fail_msg("unknown kind \"%s\"", c->f[0]);
	ids = range_expand(c->f[1], c->f[2], kind, strtol(c->f[3], NULL, 10),
	    &n, &err);
	if (c->f[4][0] == '!') {
		assert_null(ids);
		assert_non_null(err);
		assert_string_equal(err, c->f[4] + 1);
		assert_int_equal(n, 0);
		free(err);
		return;
	}
	if (ids == NULL)
		fail_msg("unexpected error: %s", err);
	assert_null(err);
	assert_null(ids[n]);
	for (i = 0; i < n; i++)
		assert_true(dataid_valid(ids[i]));
	if (c->f[4][0] == '=') {
		/* "=COUNT FIRST LAST" */
		want = xstrdup(c->f[4] + 1);
		p = want;
		count = strtoul(strsep(&p, " "), NULL, 10);
		first = strsep(&p, " ");
		last = strsep(&p, " ");
		assert_non_null(last);
		assert_int_equal(n, count);
		assert_string_equal(ids[0], first);
		assert_string_equal(ids[n - 1], last);
		/* Dates and zero-padded numbers of one width sort as text. */
		if (kind == RANGE_DAILY || strlen(first) == strlen(last)) {
			for (i = 1; i < n; i++)
				assert_true(strcmp(ids[i - 1], ids[i]) < 0);
		}
		free(want);
	} else {
		want = xstrdup(c->f[4]);
		p = want;
		for (i = 0; p != NULL; i++) {
			first = strsep(&p, ",");
			assert_true(i < n);
			assert_string_equal(ids[i], first);
		}
		assert_int_equal(n, i);
		free(want);
	}
	range_free(ids);
}

/* Every day of four centuries: dates go up by one and are all valid. */
static void
test_daily_calendar(void **state)
{
	char	**ids, *err;
	size_t	  n, i, feb29 = 0;

	(void)state;
	ids = range_expand("1901-01-01", "2300-12-31", RANGE_DAILY, 1, &n,
	    &err);
	assert_non_null(ids);
	/* 400 Gregorian years are exactly 146097 days. */
	assert_int_equal(n, 146097);
	for (i = 1; i < n; i++)
		assert_true(strcmp(ids[i - 1], ids[i]) < 0);
	for (i = 0; i < n; i++) {
		if (strcmp(ids[i] + 4, "-02-29") == 0)
			feb29++;
	}
	/* 100 leap years in 1901..2300 minus 2100, 2200, 2300. */
	assert_int_equal(feb29, 97);
	range_free(ids);
}

static void
test_long_number(void **state)
{
	char	 from[DATAID_MAXLEN + 2], **ids, *err, *want;
	size_t	 n;

	(void)state;
	memset(from, '0', sizeof from);
	from[DATAID_MAXLEN - 1] = '1';
	from[DATAID_MAXLEN] = '\0';
	ids = range_expand(from, "2", RANGE_STEP, 1, &n, &err);
	assert_non_null(ids);
	assert_int_equal(n, 2);
	assert_int_equal(strlen(ids[1]), DATAID_MAXLEN);
	assert_int_equal(ids[1][DATAID_MAXLEN - 1], '2');
	range_free(ids);

	from[DATAID_MAXLEN] = '1';
	from[DATAID_MAXLEN + 1] = '\0';
	ids = range_expand(from, "2", RANGE_STEP, 1, &n, &err);
	assert_null(ids);
	want = xasprintf("invalid number \"%s\": longer than 128 bytes",
	    from);
	assert_string_equal(err, want);
	free(want);
	free(err);
}

static void
test_null_arguments(void **state)
{
	char	**ids, *err;

	(void)state;
	range_free(NULL);
	ids = range_expand(NULL, "5", RANGE_STEP, 1, NULL, &err);
	assert_null(ids);
	assert_string_equal(err, "a range needs both from and to");
	free(err);
	/* n and errp may be NULL. */
	ids = range_expand("1", "3", RANGE_STEP, 1, NULL, NULL);
	assert_non_null(ids);
	assert_string_equal(ids[2], "3");
	range_free(ids);
	assert_null(range_expand("3", "1", RANGE_STEP, 1, NULL, NULL));
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_daily_calendar),
		cmocka_unit_test(test_long_number),
		cmocka_unit_test(test_null_arguments),
	};

	return tsv_run_group("range", fixed, sizeof fixed / sizeof fixed[0],
	    TEST_DATADIR "/range.tsv", 5, test_table);
}
