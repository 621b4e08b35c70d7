/* test_spool.c: unit tests for lib/spool.c: where the spool is, and that
 * what runjob spools is what a later runjob replays (and only that). */
#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "claim.h"
#include "spool.h"
#include "xmalloc.h"

/* A new empty directory, caller frees; removed by rm_dir. */
static char *
new_dir(void)
{
	char	*dir = xstrdup("/tmp/test_spool-XXXXXX");

	assert_non_null(mkdtemp(dir));
	return dir;
}

static void
rm_dir(char *dir)
{
	char	*cmd = xasprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(dir);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char	*path = xasprintf("%s/%s", dir, name);
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static void
spool(const char *dir, const char *db, long long run_id,
    const struct run_end *end)
{
	char		*path, *err = NULL;
	struct stat	 st;

	path = spool_write(dir, db, run_id, "load_sales", "2025-11-20", end,
	    &err);
	assert_null(err);
	assert_non_null(path);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(path);
}

/* $DATAFLOW_SPOOL_DIR, else an absolute $XDG_STATE_HOME, else ~. */
static void
test_dir(void **state)
{
	char	*d;

	(void)state;
	setenv("HOME", "/home/u", 1);
	setenv("XDG_STATE_HOME", "/state", 1);
	setenv("DATAFLOW_SPOOL_DIR", "/var/spool/df", 1);
	assert_string_equal(d = spool_dir(), "/var/spool/df");
	free(d);
	setenv("DATAFLOW_SPOOL_DIR", "", 1);
	assert_string_equal(d = spool_dir(), "/state/dataflow/spool");
	free(d);
	setenv("XDG_STATE_HOME", "relative", 1);
	assert_string_equal(d = spool_dir(), "/home/u/.local/state/dataflow/"
	    "spool");
	free(d);
	unsetenv("HOME");
	unsetenv("XDG_STATE_HOME");
	unsetenv("DATAFLOW_SPOOL_DIR");
	assert_null(spool_dir());
}

/* Spooled outcomes read back whole, oldest run first, in a directory
 * made on the way; only this database's, stale ones marked. */
static void
test_round_trip(void **state)
{
	struct run_end		 end, back;
	struct spool_entry	*e;
	char			*top = new_dir(), *dir, *err = NULL;
	size_t			 n;

	(void)state;
	dir = xasprintf("%s/a/b", top);
	memset(&end, 0, sizeof(end));
	end.status = "FAILED";
	end.exit_code = 3;
	end.message = "it \"failed\"\nbadly";
	end.metrics_json = "{\"rows\": 12}";
	end.stderr_tail = "line?\n";
	spool(dir, "dbname=a", 42, &end);
	end.status = "SUCCEEDED";
	end.exit_code = 0;
	end.message = end.metrics_json = end.stderr_tail = NULL;
	spool(dir, "dbname=a", 7, &end);
	end.status = "CANCELLED";
	end.exit_code = -1;
	end.signo = 15;
	spool(dir, "dbname=b", 8, &end);
	spool(dir, "dbname=a password=old", 9, &end);
	/* Not outcomes: skipped. */
	write_file(dir, "run-10.json", "{not json");
	write_file(dir, "run-11.json", "{\"version\": 99, \"run_id\": 11}");
	write_file(dir, "notes.json", "{}");
	write_file(dir, ".run-12.tmp", "{}");

	assert_int_equal(spool_list(dir, "dbname=a", &e, &n, &err), 0);
	assert_null(err);
	assert_int_equal(n, 3);
	assert_int_equal(e[0].run_id, 7);
	assert_false(e[0].stale);
	assert_string_equal(e[0].status, "SUCCEEDED");
	assert_int_equal(e[0].exit_code, 0);
	assert_null(e[0].message);
	assert_int_equal(e[1].run_id, 9);
	assert_true(e[1].stale);
	assert_int_equal(e[1].signo, 15);
	assert_int_equal(e[1].exit_code, -1);
	assert_int_equal(e[2].run_id, 42);
	assert_string_equal(e[2].jobid, "load_sales");
	assert_string_equal(e[2].dataid, "2025-11-20");
	spool_run_end(&e[2], &back);
	assert_string_equal(back.status, "FAILED");
	assert_int_equal(back.exit_code, 3);
	assert_int_equal(back.signo, 0);
	assert_string_equal(back.message, "it \"failed\"\nbadly");
	assert_string_equal(back.metrics_json, "{\"rows\": 12}");
	assert_string_equal(back.stderr_tail, "line?\n");
	spool_free(e, n);

	assert_int_equal(spool_list(dir, "dbname=b", &e, &n, &err), 0);
	assert_int_equal(n, 2);		/* its own, and the stale one */
	assert_int_equal(e[0].run_id, 8);
	assert_true(e[1].stale);
	spool_free(e, n);
	free(dir);
	rm_dir(top);
}

/* No spool directory yet: nothing to replay. */
static void
test_missing(void **state)
{
	struct spool_entry	*e = (void *)1;
	char			*err = NULL;
	size_t			 n = 5;

	(void)state;
	assert_int_equal(spool_list("/nonexistent/spool", "x", &e, &n, &err),
	    0);
	assert_null(e);
	assert_int_equal(n, 0);
	spool_free(NULL, 0);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests_name("spool", tests, NULL, NULL);
}
