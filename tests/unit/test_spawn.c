/* test_spawn.c: unit tests for lib/spawn.c: what the child gets (its
 * descriptors, its signal mask), how it fails, and the wait. */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fileio.h"
#include "spawn.h"
#include "strbuf.h"
#include "xmalloc.h"

#define SH	"/bin/sh"

/*
 * Run argv with input (NULL: /dev/null) on its standard input, its output
 * and error into *out (caller frees). Return its wait status.
 */
static int
run(const char *const *argv, const char *input,
    int (*setup)(void *, const char **), bool say, char **out)
{
	struct spawn	 sp;
	struct strbuf	 sb = STRBUF_INIT;
	char		*err = NULL;
	pid_t		 pid;
	int		 in[2] = { -1, -1 }, o[2], st;

	memset(&sp, 0, sizeof(sp));
	assert_int_equal(pipe2(o, O_CLOEXEC), 0);
	sp.argv = argv;
	sp.fd[0] = SPAWN_NULL;
	if (input != NULL) {
		assert_int_equal(pipe2(in, O_CLOEXEC), 0);
		sp.fd[0] = in[0];
	}
	sp.fd[1] = sp.fd[2] = o[1];
	sp.setup = setup;
	sp.say = say;
	pid = spawn_start(&sp, &err);
	assert_true(pid > 0);
	assert_null(err);
	close(o[1]);
	if (input != NULL) {
		close(in[0]);
		assert_int_equal(fileio_write_all(in[1], input,
		    strlen(input)), 0);
		close(in[1]);
	}
	assert_int_equal(fileio_read_all(o[0], &sb, 0), 0);
	close(o[0]);
	assert_int_equal(spawn_wait(pid, &st), 0);
	*out = strbuf_detach(&sb);
	return st;
}

static void
assert_exit(int st, int code)
{
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), code);
}

/* Its output and error to our pipe, its exit status back. */
static void
test_output_status(void **state)
{
	const char *const argv[] = { SH, "-c", "echo out; echo err >&2; "
	    "exit 3", NULL };
	char	*out;

	(void)state;
	assert_exit(run(argv, NULL, NULL, false, &out), 3);
	assert_string_equal(out, "out\nerr\n");
	free(out);
}

/* Standard input from a pipe, or /dev/null. */
static void
test_input(void **state)
{
	const char *const argv[] = { "/bin/cat", NULL };
	char	*out;

	(void)state;
	assert_exit(run(argv, "to cat\n", NULL, false, &out), 0);
	assert_string_equal(out, "to cat\n");
	free(out);
	assert_exit(run(argv, NULL, NULL, false, &out), 0);
	assert_string_equal(out, "");
	free(out);
}

/* The child does not inherit the signals we block. */
static void
test_clean_child(void **state)
{
	const char *const kill_self[] = { SH, "-c", "kill -TERM $$; exit 0",
	    NULL };
	sigset_t	 block, old;
	char		*out;
	int		 st;

	(void)state;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	st = run(kill_self, NULL, NULL, false, &out);
	sigprocmask(SIG_SETMASK, &old, NULL);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
	free(out);
}

/* A program that is not there: 127, and why when asked. */
static void
test_exec_fails(void **state)
{
	const char *const argv[] = { "/nonexistent/program", NULL };
	char	*out, *want;

	(void)state;
	/* Under valgrind a forked child that does not exec exits with
	 * valgrind's own status (--error-exitcode, its leak check of our
	 * copied heap): the plain and sanitizer runs check this one (a
	 * cmocka skip would count as a failure in automake's TAP driver). */
	if (getenv("DF_VALGRIND") != NULL)
		return;
	assert_exit(run(argv, NULL, NULL, false, &out), 127);
	assert_string_equal(out, "");
	free(out);
	assert_exit(run(argv, NULL, NULL, true, &out), 127);
	want = xasprintf("/nonexistent/program: could not execute: %s\n",
	    strerror(ENOENT));
	assert_string_equal(out, want);
	free(want);
	free(out);
}

static int
setup_cd(void *arg, const char **why)
{
	(void)arg;
	*why = "could not change to /";
	return chdir("/");
}

static int
setup_fails(void *arg, const char **why)
{
	(void)arg;
	*why = "could not get ready";
	errno = EPERM;
	return -1;
}

/* The setup runs in the child, before the exec; its failure is 127. */
static void
test_setup(void **state)
{
	const char *const argv[] = { "/bin/pwd", NULL };
	char	*out, *want;

	(void)state;
	/* Under valgrind a forked child that does not exec exits with
	 * valgrind's own status (--error-exitcode, its leak check of our
	 * copied heap): the plain and sanitizer runs check this one (a
	 * cmocka skip would count as a failure in automake's TAP driver). */
	if (getenv("DF_VALGRIND") != NULL)
		return;
	assert_exit(run(argv, NULL, setup_cd, true, &out), 0);
	assert_string_equal(out, "/\n");
	free(out);
	assert_exit(run(argv, NULL, setup_fails, true, &out), 127);
	want = xasprintf("/bin/pwd: could not get ready: %s\n",
	    strerror(EPERM));
	assert_string_equal(out, want);
	free(want);
	free(out);
}

/* No child of ours: -1 with ECHILD; NULL for the status is fine. */
static void
test_wait(void **state)
{
	const char *const argv[] = { "/bin/true", NULL };
	struct spawn	 sp;
	char		*err = NULL;
	pid_t		 pid;

	(void)state;
	memset(&sp, 0, sizeof(sp));
	sp.argv = argv;
	sp.fd[0] = sp.fd[1] = sp.fd[2] = SPAWN_NULL;
	assert_true((pid = spawn_start(&sp, &err)) > 0);
	assert_int_equal(spawn_wait(pid, NULL), 0);
	assert_int_equal(spawn_wait(pid, NULL), -1);
	assert_int_equal(errno, ECHILD);
}

/* spawn_filter: input in, output and the last line of error out. */
static void
test_filter(void **state)
{
	const char *const argv[] = { SH, "-c", "cat; echo first >&2; "
	    "echo last >&2; exit 2", NULL };
	struct spawn_output	 o;
	char			*err = NULL;

	(void)state;
	assert_int_equal(spawn_filter(argv, "in\n", 0, 100, &o, &err), 0);
	assert_null(err);
	assert_string_equal(o.out, "in\n");
	assert_int_equal(o.len, 3);
	assert_string_equal(o.err, "last");
	assert_exit(o.wstatus, 2);
	free(o.out);
	free(o.err);
}

/* A filter past its time or its output's size is killed and reaped. */
static void
test_filter_bounds(void **state)
{
	const char *const slow[] = { SH, "-c", "exec sleep 60", NULL };
	const char *const big[] = { SH, "-c", "yes", NULL };
	const char *const deaf[] = { "/bin/true", NULL };
	struct spawn_output	 o;
	char			*err = NULL, input[256 * 1024];

	(void)state;
	assert_int_equal(spawn_filter(slow, "", 100, 100, &o, &err), -1);
	assert_non_null(strstr(err, "did not finish in 100 ms"));
	free(err);
	err = NULL;
	assert_int_equal(spawn_filter(big, "", 0, 4096, &o, &err), -1);
	assert_non_null(strstr(err, "wrote more than 4096 bytes"));
	free(err);
	err = NULL;
	/* One that reads nothing: more input than a pipe holds. */
	memset(input, 'x', sizeof(input) - 1);
	input[sizeof(input) - 1] = '\0';
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(spawn_filter(deaf, input, 0, 100, &o, &err), 0);
	assert_exit(o.wstatus, 0);
	free(o.out);
	free(o.err);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_status),
		cmocka_unit_test(test_input),
		cmocka_unit_test(test_clean_child),
		cmocka_unit_test(test_exec_fails),
		cmocka_unit_test(test_setup),
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_filter_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
