/* test_duration.c: unit tests for lib/duration.c; see data/duration.tsv. */
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

#include "duration.h"
#include "xmalloc.h"
#include "tsv.h"

static void
test_table(void **state)
{
	const struct tcase	*c = *state;
	const char		*why;
	char			*err = (char *)1, *s;
	long			 secs = -1;

	if (strcmp(c->f[0], "parse") == 0) {
		if (c->f[2][0] == '!') {
			assert_int_equal(duration_parse(c->f[1], &secs, &err),
			    -1);
			assert_non_null(err);
			assert_string_equal(err, c->f[2] + 1);
			assert_int_equal(secs, -1);
			/* The short reason is the tail of the message. */
			why = duration_check(c->f[1], &secs);
			assert_non_null(why);
			assert_string_equal(err + strlen(err) - strlen(why),
			    why);
			free(err);
			return;
		}
		assert_int_equal(duration_parse(c->f[1], &secs, &err), 0);
		assert_null(err);
		assert_int_equal(secs, strtol(c->f[2], NULL, 10));
		secs = -1;
		assert_null(duration_check(c->f[1], &secs));
		assert_int_equal(secs, strtol(c->f[2], NULL, 10));
	} else if (strcmp(c->f[0], "format") == 0) {
		s = duration_format(strtol(c->f[1], NULL, 10));
		assert_string_equal(s, c->f[2]);
		free(s);
	} else
		fail_msg("unknown kind \"%s\"", c->f[0]);
}

/* Whatever duration_format prints, duration_parse reads back exactly. */
static void
test_round_trip(void **state)
{
	static const long	 samples[] = {
		1, 2, 59, 60, 61, 119, 120, 3599, 3600, 3601, 7200, 86399,
		86400, 86401, 90000, 604800, 31535999, 31536000, 31622399,
		31622400
	};
	char			*s, *err;
	long			 secs, back;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		s = duration_format(samples[i]);
		assert_int_equal(duration_parse(s, &secs, &err), 0);
		assert_int_equal(secs, samples[i]);
		free(s);
	}
	for (secs = 1; secs <= 3 * 86400; secs += 37) {
		s = duration_format(secs);
		assert_int_equal(duration_parse(s, &back, &err), 0);
		assert_int_equal(back, secs);
		free(s);
	}
}

/* NULL arguments: a message without a value, and no crash. */
static void
test_null(void **state)
{
	char	*err;
	long	 secs = 7;

	(void)state;
	assert_int_equal(duration_parse(NULL, &secs, &err), -1);
	assert_string_equal(err, "invalid duration \"\": empty duration");
	free(err);
	assert_int_equal(secs, 7);
	assert_int_equal(duration_parse("5m", NULL, NULL), 0);
	assert_int_equal(duration_parse("5x", NULL, NULL), -1);
	assert_string_equal(duration_check(NULL, NULL), "empty duration");
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_null),
	};

	return tsv_run_group("duration", fixed, sizeof fixed / sizeof fixed[0],
	    TEST_DATADIR "/duration.tsv", 3, test_table);
}
