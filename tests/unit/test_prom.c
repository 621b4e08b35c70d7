/* test_prom.c: unit tests for lib/prom.c: names, escaping, values, whole
 * expositions, misuse, and the atomic textfile write. */
#include <sys/stat.h>

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "prom.h"
#include "strbuf.h"
#include "tmpdir.h"
#include "xmalloc.h"

static void
test_metric_names(void **state)
{
	(void)state;
	assert_true(prom_metric_name_valid("dataflow_job_paused"));
	assert_true(prom_metric_name_valid("a:b_c9"));
	assert_true(prom_metric_name_valid("_x"));
	assert_false(prom_metric_name_valid(""));
	assert_false(prom_metric_name_valid(NULL));
	assert_false(prom_metric_name_valid("9lives"));
	assert_false(prom_metric_name_valid("has-dash"));
	assert_false(prom_metric_name_valid("has space"));
	assert_false(prom_metric_name_valid("caf\xc3\xa9"));
}

static void
test_label_names(void **state)
{
	(void)state;
	assert_true(prom_label_name_valid("jobid"));
	assert_true(prom_label_name_valid("_x1"));
	assert_false(prom_label_name_valid("__name__"));
	assert_false(prom_label_name_valid("a:b"));
	assert_false(prom_label_name_valid("1a"));
	assert_false(prom_label_name_valid(""));
	assert_false(prom_label_name_valid(NULL));
}

/* Escape in, as a label value or as HELP, and compare with want. */
static void
check_escape(const char *in, bool label, const char *want)
{
	struct strbuf	 sb = STRBUF_INIT;
	char		*got;

	if (label)
		prom_escape_label(&sb, in);
	else
		prom_escape_help(&sb, in);
	got = strbuf_detach(&sb);
	assert_string_equal(got, want);
	free(got);
}

static void
test_escape_label(void **state)
{
	(void)state;
	check_escape("", true, "");
	check_escape("plain host-1.example", true, "plain host-1.example");
	check_escape("back\\slash", true, "back\\\\slash");
	check_escape("quo\"te", true, "quo\\\"te");
	check_escape("new\nline", true, "new\\nline");
	check_escape("\\\"\n", true, "\\\\\\\"\\n");
	/* Other characters, tabs and CR included, are allowed as they are. */
	check_escape("tab\tcr\r", true, "tab\tcr\r");
	check_escape("h\xc3\xb4te \xe2\x82\xac \xf0\x9f\x90\x98", true,
	    "h\xc3\xb4te \xe2\x82\xac \xf0\x9f\x90\x98");
}

static void
test_escape_help(void **state)
{
	(void)state;
	check_escape("a \"quoted\" word", false, "a \"quoted\" word");
	check_escape("back\\slash", false, "back\\\\slash");
	check_escape("two\nlines", false, "two\\nlines");
}

/* Bytes that are not UTF-8 become U+FFFD, one per byte. */
static void
test_escape_invalid_utf8(void **state)
{
	(void)state;
	check_escape("a\xffz", true, "a\xef\xbf\xbdz");
	check_escape("\x80", true, "\xef\xbf\xbd");
	/* Truncated sequence: both bytes replaced. */
	check_escape("x\xe2\x82", true, "x\xef\xbf\xbd\xef\xbf\xbd");
	/* Overlong "/" and a surrogate. */
	check_escape("\xc0\xaf", true, "\xef\xbf\xbd\xef\xbf\xbd");
	check_escape("\xed\xa0\x80", true,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* Beyond U+10FFFF. */
	check_escape("\xf4\x90\x80\x80", true,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	check_escape("bad\xfe\n", false, "bad\xef\xbf\xbd\\n");
}

static void
check_value(double v, const char *want)
{
	char	 buf[64];

	assert_string_equal(prom_format_value(v, buf, sizeof(buf)), want);
}

static void
test_values(void **state)
{
	(void)state;
	check_value(0, "0");
	check_value(-0.0, "0");
	check_value(1, "1");
	check_value(-42, "-42");
	check_value(1763712345, "1763712345");
	check_value(0.5, "0.5");
	check_value(0.1, "0.1");
	check_value(300.010732, "300.010732");
	check_value(1763712345.123456, "1763712345.123456");
	check_value(1e15, "1e+15");
	check_value(1.0 / 3, "0.33333333333333331");
	check_value(NAN, "NaN");
	check_value(INFINITY, "+Inf");
	check_value(-INFINITY, "-Inf");
}

static void
test_exposition(void **state)
{
	static const char *const job_a[] = { "jobid", "a", NULL };
	static const char *const job_q[] = {
		"jobid", "a", "quantile", "0.5", NULL
	};
	static const char *const host[] = {
		"host", "h\"1\\\n", "status", "failed", NULL
	};
	struct prom	*p = prom_new();
	char		*text, *err = NULL;

	(void)state;
	prom_family(p, "x_paused", PROM_GAUGE, "Whether\npaused.");
	prom_sample(p, NULL, job_a, 1);
	prom_sample(p, "", NULL, 2.5);
	prom_family(p, "x_seconds", PROM_SUMMARY, "Durations \\ runs.");
	prom_sample(p, NULL, job_q, NAN);
	prom_sample(p, "_sum", job_a, 0);
	prom_sample(p, "_count", job_a, 0);
	prom_family(p, "x_runs_total", PROM_COUNTER, NULL);
	prom_sample(p, NULL, host, 7);
	prom_family(p, "x_other", PROM_UNTYPED, "");
	text = prom_finish(p, &err);
	assert_null(err);
	assert_non_null(text);
	assert_string_equal(text,
	    "# HELP x_paused Whether\\npaused.\n"
	    "# TYPE x_paused gauge\n"
	    "x_paused{jobid=\"a\"} 1\n"
	    "x_paused 2.5\n"
	    "# HELP x_seconds Durations \\\\ runs.\n"
	    "# TYPE x_seconds summary\n"
	    "x_seconds{jobid=\"a\",quantile=\"0.5\"} NaN\n"
	    "x_seconds_sum{jobid=\"a\"} 0\n"
	    "x_seconds_count{jobid=\"a\"} 0\n"
	    "# TYPE x_runs_total counter\n"
	    "x_runs_total{host=\"h\\\"1\\\\\\n\",status=\"failed\"} 7\n"
	    "# HELP x_other \n"
	    "# TYPE x_other untyped\n");
	free(text);
	/* Finished: empty again, and usable. */
	text = prom_finish(p, &err);
	assert_string_equal(text, "");
	free(text);
	prom_free(p);
	prom_free(NULL);
}

/* Build with f, expect prom_finish to fail with a message containing
 * want. */
static void
check_misuse(void (*f)(struct prom *), const char *want)
{
	struct prom	*p = prom_new();
	char		*err = NULL;

	f(p);
	assert_null(prom_finish(p, &err));
	assert_non_null(err);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not say \"%s\"", err, want);
	free(err);
	prom_free(p);
}

static void
misuse_no_family(struct prom *p)
{
	prom_sample(p, NULL, NULL, 1);
}

static void
misuse_bad_name(struct prom *p)
{
	prom_family(p, "bad-name", PROM_GAUGE, "x");
	prom_sample(p, NULL, NULL, 1);
}

static void
misuse_twice(struct prom *p)
{
	prom_family(p, "x", PROM_GAUGE, "x");
	prom_family(p, "y", PROM_GAUGE, "y");
	prom_family(p, "x", PROM_COUNTER, "x");
}

static void
misuse_suffix(struct prom *p)
{
	prom_family(p, "x", PROM_GAUGE, "x");
	prom_sample(p, "_sum", NULL, 1);
}

static void
misuse_summary_suffix(struct prom *p)
{
	prom_family(p, "x", PROM_SUMMARY, "x");
	prom_sample(p, "_bucket", NULL, 1);
}

static void
misuse_label(struct prom *p)
{
	static const char *const labels[] = { "__name__", "v", NULL };

	prom_family(p, "x", PROM_GAUGE, "x");
	prom_sample(p, NULL, labels, 1);
}

static void
misuse_null_value(struct prom *p)
{
	static const char *const labels[] = { "jobid", NULL, NULL };

	prom_family(p, "x", PROM_GAUGE, "x");
	prom_sample(p, NULL, labels, 1);
}

/* The first error is the one reported. */
static void
misuse_first(struct prom *p)
{
	prom_family(p, "1st", PROM_GAUGE, "x");
	prom_family(p, "2nd", PROM_GAUGE, "x");
}

static void
test_misuse(void **state)
{
	(void)state;
	check_misuse(misuse_no_family, "outside any metric family");
	check_misuse(misuse_bad_name, "invalid metric name \"bad-name\"");
	check_misuse(misuse_twice, "\"x\" declared twice");
	check_misuse(misuse_suffix, "invalid sample \"x_sum\" of gauge");
	check_misuse(misuse_summary_suffix, "\"x_bucket\" of summary");
	check_misuse(misuse_label, "invalid label \"__name__\"");
	check_misuse(misuse_null_value, "invalid label \"jobid\"");
	check_misuse(misuse_first, "\"1st\"");
}

static char *
read_file(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	 buf[256];
	size_t	 n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return xstrdup(buf);
}

static void
test_textfile(void **state)
{
	struct stat	 st;
	char		*dir, *path, *got, *err = NULL;
	mode_t		 old;
	ino_t		 ino;

	(void)state;
	dir = tmpdir_new("test_prom");
	path = xasprintf("%s/m.prom", dir);
	/* The mode does not depend on the umask. */
	old = umask(077);
	assert_int_equal(prom_textfile_write(dir, "m.prom", "a 1\n", &err),
	    0);
	umask(old);
	assert_null(err);
	got = read_file(path);
	assert_string_equal(got, "a 1\n");
	free(got);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	ino = st.st_ino;
	got = tmpdir_list(dir);
	assert_string_equal(got, "m.prom");
	free(got);

	/* Replaced by a rename: a new file, never the old one rewritten. */
	assert_int_equal(prom_textfile_write(dir, "m.prom", "a 2\nb 3\n",
	    &err), 0);
	got = read_file(path);
	assert_string_equal(got, "a 2\nb 3\n");
	free(got);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_ino != ino);
	got = tmpdir_list(dir);
	assert_string_equal(got, "m.prom");
	free(got);

	/* Empty text is a valid, empty exposition. */
	assert_int_equal(prom_textfile_write(dir, "m.prom", "", &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);

	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	free(path);
	free(dir);
}

static void
test_textfile_errors(void **state)
{
	char	*dir, *sub, *got, *err = NULL;

	(void)state;
	assert_int_equal(prom_textfile_write("/nonexistent/dir", "m.prom",
	    "a 1\n", &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "\"/nonexistent/dir\""));
	free(err);
	err = NULL;

	/* The target is a directory: the rename fails, no file is left. */
	dir = tmpdir_new("test_prom");
	sub = xasprintf("%s/m.prom", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(prom_textfile_write(dir, "m.prom", "a 1\n", &err),
	    -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "could not rename"));
	free(err);
	got = tmpdir_list(dir);
	assert_string_equal(got, "m.prom");
	free(got);
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(rmdir(dir), 0);
	free(sub);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metric_names),
		cmocka_unit_test(test_label_names),
		cmocka_unit_test(test_escape_label),
		cmocka_unit_test(test_escape_help),
		cmocka_unit_test(test_escape_invalid_utf8),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_exposition),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_textfile),
		cmocka_unit_test(test_textfile_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
