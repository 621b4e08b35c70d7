/* test_diag.c: unit tests for lib/diag.c: a list of messages that library
 * code fills and a program prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"
#include "xmalloc.h"

#define MANY	1000	/* messages: past several doublings of the list */
#define LONG	100000	/* bytes: longer than any fixed buffer */

static void
test_empty(void **state)
{
	struct diag	 d = { NULL, 0 };

	(void)state;
	assert_int_equal(d.n, 0);
	diag_clear(&d);
	assert_null(d.msgs);
	assert_int_equal(d.n, 0);
}

/* Messages are kept in order, formatted, and counted. */
static void
test_append_and_format(void **state)
{
	struct diag	 d = { NULL, 0 };

	(void)state;
	diag_add(&d, "plain");
	diag_add(&d, "%s:%d:%d: %s", "f.json", 3, 14, "bad");
	diag_add(&d, "%zu%%", (size_t)42);
	diag_add(&d, "%s", "");
	assert_int_equal(d.n, 4);
	assert_string_equal(d.msgs[0], "plain");
	assert_string_equal(d.msgs[1], "f.json:3:14: bad");
	assert_string_equal(d.msgs[2], "42%");
	assert_string_equal(d.msgs[3], "");
	diag_clear(&d);
	assert_null(d.msgs);
	assert_int_equal(d.n, 0);
	/* A cleared list is empty and usable again. */
	diag_add(&d, "again");
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msgs[0], "again");
	diag_clear(&d);
}

static void
vadd(struct diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
vadd(struct diag *d, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	diag_vadd(d, fmt, ap);
	va_end(ap);
}

static void
test_vadd_and_take(void **state)
{
	struct diag	 d = { NULL, 0 };

	(void)state;
	vadd(&d, "line %d: %s", 7, "expected name=value");
	diag_take(&d, xstrdup("owned"));
	assert_int_equal(d.n, 2);
	assert_string_equal(d.msgs[0], "line 7: expected name=value");
	assert_string_equal(d.msgs[1], "owned");
	diag_clear(&d);
}

/* The list grows past its first blocks without losing or moving a
 * message out of order (run under valgrind/ASan: no overflow). */
static void
test_many(void **state)
{
	struct diag	 d = { NULL, 0 };
	char		 want[32];
	size_t		 i;

	(void)state;
	for (i = 0; i < MANY; i++)
		diag_add(&d, "message %zu", i);
	assert_int_equal(d.n, MANY);
	for (i = 0; i < MANY; i++) {
		snprintf(want, sizeof want, "message %zu", i);
		assert_string_equal(d.msgs[i], want);
	}
	diag_clear(&d);
	assert_int_equal(d.n, 0);
}

/* A message longer than any buffer is kept whole. */
static void
test_long_message(void **state)
{
	struct diag	 d = { NULL, 0 };
	char		*big;

	(void)state;
	big = xmalloc(LONG + 1);
	memset(big, 'x', LONG);
	big[LONG] = '\0';
	diag_add(&d, "<%s>", big);
	assert_int_equal(d.n, 1);
	assert_int_equal(strlen(d.msgs[0]), LONG + 2);
	assert_int_equal(d.msgs[0][0], '<');
	assert_int_equal(d.msgs[0][LONG + 1], '>');
	diag_clear(&d);
	free(big);
}

/* Two lists are independent. */
static void
test_independent(void **state)
{
	struct diag	 a = { NULL, 0 }, b = { NULL, 0 };

	(void)state;
	diag_add(&a, "a1");
	diag_add(&b, "b1");
	diag_add(&a, "a2");
	assert_int_equal(a.n, 2);
	assert_int_equal(b.n, 1);
	assert_string_equal(a.msgs[1], "a2");
	assert_string_equal(b.msgs[0], "b1");
	diag_clear(&a);
	assert_int_equal(b.n, 1);
	diag_clear(&b);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_append_and_format),
		cmocka_unit_test(test_vadd_and_take),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_long_message),
		cmocka_unit_test(test_independent),
	};

	return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
