/* test_progress.c: unit tests for lib/progress.c: the line it draws, and
 * that it draws nothing where no one watches. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "progress.h"

static void
test_format(void **state)
{
	char	 buf[128];

	(void)state;
	assert_string_equal(progress_format(buf, sizeof(buf), "ready", 0, -1,
	    2.5, 0), "ready | 2.5s");
	assert_string_equal(progress_format(buf, sizeof(buf), "ready", 0, -1,
	    2.5, 1), "ready / 2.5s");
	assert_string_equal(progress_format(buf, sizeof(buf), "drain", 1200,
	    -1, 4, 0), "drain 1200 300/s 4.0s");
	assert_string_equal(progress_format(buf, sizeof(buf), "drain", 1200,
	    5000, 4, 0), "drain 1200/5000 24% 300/s ETA 13s");
	assert_string_equal(progress_format(buf, sizeof(buf), "drain", 0,
	    5000, 4, 0), "drain 0/5000 0% 4.0s");
	assert_string_equal(progress_format(buf, sizeof(buf), "drain", 6000,
	    5000, 4, 0), "drain 6000/5000 120% 1500/s ETA 0.0s");
}

/* Not a terminal, or quiet: no line at all. */
static void
test_silent(void **state)
{
	struct progress	*p;
	int		 fd[2];

	(void)state;
	assert_int_equal(pipe(fd), 0);
	assert_null(progress_new(fd[1], "x", -1, false));
	progress_set(NULL, 3);
	progress_end(NULL);
	if ((p = progress_new(STDERR_FILENO, "x", -1, true)) != NULL)
		fail_msg("quiet drew a line");
	close(fd[0]);
	close(fd[1]);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_silent),
	};

	return cmocka_run_group_tests_name("progress", tests, NULL, NULL);
}
