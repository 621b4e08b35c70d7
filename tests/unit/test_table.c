/* test_table.c: unit tests for lib/table.c: layout, alignment, odd cells,
 * durations and times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "table.h"

static const char *const two[] = { "NAME", "COUNT" };

/* Render t, compare with want, free both. */
static void
check_render(struct table *t, const char *want)
{
	char	*got = table_render(t);

	assert_string_equal(got, want);
	free(got);
	table_free(t);
}

static void
test_header_only(void **state)
{
	struct table	*t = table_new(2, two);

	(void)state;
	assert_int_equal(table_rows(t), 0);
	check_render(t, "NAME  COUNT\n");
}

static void
test_widths_and_alignment(void **state)
{
	struct table	*t = table_new(2, two);

	(void)state;
	table_align(t, 1, TABLE_RIGHT);
	table_add(t, "a");
	table_add(t, "1");
	table_add(t, "longer_name");
	table_addf(t, "%d", 12345);
	assert_int_equal(table_rows(t), 2);
	check_render(t,
	    "NAME         COUNT\n"
	    "a                1\n"
	    "longer_name  12345\n");
}

/* A left-aligned last column is not padded: no trailing blanks. */
static void
test_no_trailing_blanks(void **state)
{
	static const char *const h[] = { "A", "B", "C" };
	struct table	*t = table_new(3, h);

	(void)state;
	table_add(t, "x");
	table_add(t, "");
	table_add(t, "");
	table_add(t, "yyyy");
	table_add(t, "z");
	table_add(t, "last");
	check_render(t,
	    "A     B  C\n"
	    "x\n"
	    "yyyy  z  last\n");
}

static void
test_null_and_control_characters(void **state)
{
	struct table	*t = table_new(2, two);

	(void)state;
	table_add(t, NULL);
	table_add(t, "a\tb\nc");
	check_render(t,
	    "NAME  COUNT\n"
	    "-     a?b?c\n");
}

/* Width counts characters, not bytes. */
/* Escape sequences lose their introducers; lines keeps the layout of a
 * job's output readable. */
static void
test_safe(void **state)
{
	char	*s;

	(void)state;
	s = table_safe("\033]0;pwned\007\033[2J\r\nnext\tcol", false);
	assert_string_equal(s, "?]0;pwned??[2J??next?col");
	free(s);
	s = table_safe("\033]0;pwned\007\033[2Jline1\r\nline2\tcol\n", true);
	assert_string_equal(s, "?]0;pwned??[2Jline1?\nline2\tcol\n");
	free(s);
	/* C1 controls (U+009B is CSI) go too; other UTF-8 stays. */
	s = table_safe("a\xc2\x9b" "2Jb \xc2\xa0\xc3\xa9\xe2\x98\x83\x7f",
	    true);
	assert_string_equal(s, "a?2Jb \xc2\xa0\xc3\xa9\xe2\x98\x83?");
	free(s);
	s = table_safe("", true);
	assert_string_equal(s, "");
	free(s);
}

static void
test_utf8(void **state)
{
	struct table	*t = table_new(2, two);

	(void)state;
	table_add(t, "h\xc3\xa9h\xc3\xa9");	/* 4 characters, 6 bytes */
	table_add(t, "1");
	table_add(t, "abcdef");
	table_add(t, "2");
	check_render(t,
	    "NAME    COUNT\n"
	    "h\xc3\xa9h\xc3\xa9    1\n"
	    "abcdef  2\n");
}

/* A short last row is completed with "-". */
static void
test_short_row(void **state)
{
	static const char *const h[] = { "A", "B", "C" };
	struct table	*t = table_new(3, h);

	(void)state;
	table_add(t, "1");
	assert_int_equal(table_rows(t), 1);
	check_render(t,
	    "A  B  C\n"
	    "1  -  -\n");
}

/* Many rows: the cell array grows. */
static void
test_many_rows(void **state)
{
	static const char *const h[] = { "N" };
	struct table	*t = table_new(1, h);
	char		*s;
	int		 i;

	(void)state;
	table_align(t, 0, TABLE_RIGHT);
	for (i = 0; i < 1000; i++)
		table_addf(t, "%d", i);
	assert_int_equal(table_rows(t), 1000);
	s = table_render(t);
	assert_non_null(strstr(s, "\n  0\n  1\n"));
	assert_non_null(strstr(s, "\n999\n"));
	free(s);
	table_free(t);
	table_free(NULL);
}

static void
test_duration(void **state)
{
	static const struct {
		double		 secs;
		const char	*want;
	} cases[] = {
		{ -1, "-" }, { 0, "0.0s" }, { 0.04, "0.0s" }, { 0.4, "0.4s" },
		{ 9.94, "9.9s" }, { 9.96, "10s" }, { 42, "42s" },
		{ 59.4, "59s" }, { 59.6, "1m00s" }, { 60, "1m00s" },
		{ 303, "5m03s" }, { 3599, "59m59s" }, { 3600, "1h00m" },
		{ 7500, "2h05m" }, { 86399, "23h59m" }, { 86400, "1d00h" },
		{ 273600, "3d04h" }, { 8640000, "100d00h" }
	};
	char	 buf[32];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_string_equal(table_duration(cases[i].secs, buf,
		    sizeof(buf)), cases[i].want);
	}
}

static void
test_time(void **state)
{
	char	 buf[32];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_string_equal(table_time(0, buf, sizeof(buf)),
	    "1970-01-01 00:00:00 +0000");
	assert_string_equal(table_time(1763634600, buf, sizeof(buf)),
	    "2025-11-20 10:30:00 +0000");
	assert_string_equal(table_time_iso("2025-11-20T11:30:00.123456+01:00",
	    buf, sizeof(buf)), "2025-11-20 10:30:00 +0000");
	setenv("TZ", "UTC-2", 1);
	tzset();
	assert_string_equal(table_time(1763634600, buf, sizeof(buf)),
	    "2025-11-20 12:30:00 +0200");
	assert_string_equal(table_time_iso("2025-11-20T10:30:00+00:00", buf,
	    sizeof(buf)), "2025-11-20 12:30:00 +0200");
	assert_string_equal(table_time_iso("2025-11-20T05:00:00-05:30", buf,
	    sizeof(buf)), "2025-11-20 12:30:00 +0200");
	assert_string_equal(table_time_iso("not a time", buf, sizeof(buf)),
	    "not a time");
	assert_null(table_time_iso(NULL, buf, sizeof(buf)));
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_only),
		cmocka_unit_test(test_widths_and_alignment),
		cmocka_unit_test(test_no_trailing_blanks),
		cmocka_unit_test(test_null_and_control_characters),
		cmocka_unit_test(test_safe),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_short_row),
		cmocka_unit_test(test_many_rows),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_time),
	};

	return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
