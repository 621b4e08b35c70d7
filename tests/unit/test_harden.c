/* test_harden.c: unit tests for lib/harden.c. */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "harden.h"

/* Exit codes of the child that checks: which check failed. */
enum {
	CHILD_OK, CHILD_HARDEN, CHILD_DUMPABLE, CHILD_SOFT, CHILD_HARD,
	CHILD_FORK, CHILD_GIVEN_BACK, CHILD_GRANDCHILD_DUMPABLE, CHILD_SETUP
};

/* Run f in a child (harden changes the process for good); its status. */
static int
in_child(int (*f)(void))
{
	pid_t	 pid;
	int	 status;

	if ((pid = fork()) == -1)
		fail_msg("fork failed");
	if (pid == 0)
		_exit(f());
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status))
		fail_msg("the child did not exit");
	return WEXITSTATUS(status);
}

static int
harden_and_check(void)
{
	struct rlimit	 before, after;
	char		*err = NULL;
	pid_t		 pid;
	int		 status;

	/* A soft limit above 0 to see it lowered and given back. */
	if (getrlimit(RLIMIT_CORE, &before) == -1)
		return CHILD_SETUP;
	if (before.rlim_max == 0)
		return CHILD_OK;	/* nothing to see: cannot raise it */
	before.rlim_cur = before.rlim_max;
	if (setrlimit(RLIMIT_CORE, &before) == -1)
		return CHILD_SETUP;
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1)
		return CHILD_SETUP;

	if (harden_process(&err) == -1)
		return CHILD_HARDEN;
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return CHILD_DUMPABLE;
	if (getrlimit(RLIMIT_CORE, &after) == -1 || after.rlim_cur != 0)
		return CHILD_SOFT;
	if (after.rlim_max != before.rlim_max)
		return CHILD_HARD;
	/* Twice is harmless and remembers the first limit. */
	if (harden_process(&err) == -1)
		return CHILD_HARDEN;

	/* fork keeps it non-dumpable; harden_child gives the limit back. */
	if ((pid = fork()) == -1)
		return CHILD_FORK;
	if (pid == 0) {
		if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
			_exit(CHILD_GRANDCHILD_DUMPABLE);
		if (harden_child() == -1 ||
		    getrlimit(RLIMIT_CORE, &after) == -1 ||
		    after.rlim_cur != before.rlim_cur ||
		    after.rlim_max != before.rlim_max)
			_exit(CHILD_GIVEN_BACK);
		_exit(CHILD_OK);
	}
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status))
		return CHILD_FORK;
	return WEXITSTATUS(status);
}

static void
test_harden_process(void **state)
{
	(void)state;
	assert_int_equal(in_child(harden_and_check), CHILD_OK);
}

/* Before harden_process, harden_child changes nothing. */
static int
child_without_harden(void)
{
	struct rlimit	 before, after;

	if (getrlimit(RLIMIT_CORE, &before) == -1 || harden_child() == -1 ||
	    getrlimit(RLIMIT_CORE, &after) == -1)
		return CHILD_SETUP;
	if (before.rlim_cur != after.rlim_cur ||
	    before.rlim_max != after.rlim_max)
		return CHILD_GIVEN_BACK;
	return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1 ? CHILD_OK :
	    CHILD_DUMPABLE;
}

static void
test_child_alone(void **state)
{
	(void)state;
	assert_int_equal(in_child(child_without_harden), CHILD_OK);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_harden_process),
		cmocka_unit_test(test_child_alone),
	};

	return cmocka_run_group_tests_name("harden", tests, NULL, NULL);
}
