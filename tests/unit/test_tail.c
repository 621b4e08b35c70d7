/* test_tail.c: unit tests for lib/tail.c: the tail of a script's stderr
 * that a failed run keeps and its notify command gets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tail.h"

static void
test_whole(void **state)
{
	struct tail	 t;
	char		*s;

	(void)state;
	tail_reset(&t, -1);
	assert_null(tail_text(&t));
	tail_add(&t, "one\ntwo\n", 8);
	s = tail_text(&t);
	assert_string_equal(s, "one\ntwo\n");
	free(s);
}

/* A cut tail starts at a line, after a line saying how much is missing. */
static void
test_cut_at_a_line(void **state)
{
	struct tail	 t;
	char		 line[100], *s;
	size_t		 i;

	(void)state;
	tail_reset(&t, -1);
	for (i = 0; i < 1000; i++) {
		snprintf(line, sizeof(line), "line %04zu of the script\n", i);
		tail_add(&t, line, strlen(line));
	}
	s = tail_text(&t);
	/*
	 * 1000 lines of 24 bytes, 4096 kept: 170 whole lines and 16 bytes
	 * of the one before; that and the first whole line make room for
	 * the mark: 169 lines shown, 19944 bytes cut in all.
	 */
	assert_true(strncmp(s, "[... 19 KB cut]\nline 0831 of the script\n",
	    40) == 0);
	assert_int_equal(strlen(s), 16 + 169 * 24);
	assert_string_equal(s + strlen(s) - 24, "line 0999 of the script\n");
	free(s);
}

static void
test_cut_one_line(void **state)
{
	struct tail	 t;
	char		 big[TAIL_MAX + 100], *s;

	(void)state;
	memset(big, 'x', sizeof(big));
	tail_reset(&t, -1);
	tail_add(&t, big, sizeof(big));
	s = tail_text(&t);
	/* No line to start at: what there is, after the mark. */
	assert_true(strncmp(s, "[... 124 bytes cut]\n", 20) == 0);
	assert_int_equal(strlen(s), 20 + TAIL_MAX - 24);
	free(s);
}

static void
test_bytes_replaced(void **state)
{
	struct tail	 t;
	char		*s;

	(void)state;
	tail_reset(&t, -1);
	tail_add(&t, "a\0b\xff\n", 5);
	s = tail_text(&t);
	assert_string_equal(s, "a?b?\n");
	free(s);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_cut_at_a_line),
		cmocka_unit_test(test_cut_one_line),
		cmocka_unit_test(test_bytes_replaced),
	};

	return cmocka_run_group_tests_name("tail", tests, NULL, NULL);
}
