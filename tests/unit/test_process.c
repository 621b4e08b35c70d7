/* test_process.c: unit tests for lib/process.c, spawning real children
 * (sh, true, false, sleep, env): exit status, signals, timeouts, isolation. */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "process.h"

extern char **environ;

static char	 tmpdir[] = "/tmp/df-test-process.XXXXXX";

/* Argument vectors made by av(), freed after each test by av_free(). */
static char	**made[32];
static size_t	 nmade;

/* What a tick callback does, and what it saw. */
struct tick_state {
	int		 calls;
	int		 stop_at;	/* return -1 on this call; 0: never */
	const char	*ready;		/* act only once this file exists */
	int		 raise_sig;	/* raise this once ready; 0: none */
	bool		 raised;
	bool		 stop_when_ready;
};

static char	**av(const char *, ...);
static int	 av_free(void **);
static int	 setup(void **);
static int	 teardown(void **);
static int	 rm_entry(const char *, const struct stat *, int, struct FTW *);
static void	 tmp_path(char *, size_t, const char *);
static char	*slurp(const char *);
static bool	 exists(const char *);
static bool	 gone_or_zombie(pid_t);
static bool	 wait_until_gone(pid_t);
static int	 tick(void *);
static void	 run(struct proc_spec *, struct proc_result *);
static double	 now_s(void);
static char	*sh_output(const char *);
static long	 guard_of_run(void);
static int	 kill_guard_tick(void *);

/* Return a NULL-terminated copy of the arguments, up to a NULL. */
static char **
av(const char *first, ...)
{
	va_list		 ap;
	const char	*a;
	char		**v;
	size_t		 n = 0;

	va_start(ap, first);
	for (a = first; a != NULL; a = va_arg(ap, const char *))
		n++;
	va_end(ap);
	assert_true(nmade < sizeof(made) / sizeof(made[0]));
	assert_non_null(v = calloc(n + 1, sizeof(*v)));
	made[nmade++] = v;
	n = 0;
	va_start(ap, first);
	for (a = first; a != NULL; a = va_arg(ap, const char *))
		assert_non_null(v[n++] = strdup(a));
	va_end(ap);
	return v;
}

static int
av_free(void **state)
{
	char	**v;

	(void)state;
	while (nmade > 0) {
		for (v = made[--nmade]; *v != NULL; v++)
			free(*v);
		free(made[nmade]);
	}
	return 0;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
tmp_path(char *buf, size_t len, const char *name)
{
	int	 n;

	n = snprintf(buf, len, "%s/%s", tmpdir, name);
	assert_true(n > 0 && (size_t)n < len);
	unlink(buf);
}

/* Return the contents of path (caller frees), or NULL if it is unreadable. */
static char *
slurp(const char *path)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	buf = calloc(1, 65536);
	assert_non_null(buf);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static bool
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* True if pid no longer runs (a zombie waits only for init to reap it). */
static bool
gone_or_zombie(pid_t pid)
{
	char	 path[64], *buf, *p;
	bool	 dead;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((buf = slurp(path)) == NULL)
		return true;
	p = strrchr(buf, ')');
	dead = p == NULL || p[1] == '\0' || p[2] == 'Z' || p[2] == 'X';
	free(buf);
	return dead;
}

static bool
wait_until_gone(pid_t pid)
{
	int	 i;

	for (i = 0; i < 200; i++) {
		if (gone_or_zombie(pid))
			return true;
		usleep(5000);
	}
	return false;
}

static int
tick(void *arg)
{
	struct tick_state	*ts = arg;

	ts->calls++;
	if (ts->ready != NULL && !exists(ts->ready))
		return 0;
	if (ts->raise_sig != 0 && !ts->raised) {
		ts->raised = true;
		raise(ts->raise_sig);
	}
	if (ts->stop_when_ready)
		return -1;
	if (ts->stop_at != 0 && ts->calls >= ts->stop_at)
		return -1;
	return 0;
}

/* Run sh -c cmd, which must exit 0; return its output (caller frees). */
static char *
sh_output(const char *cmd)
{
	char		 out[PATH_MAX];
	char		**argv = av("sh", "-c", cmd, NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;
	char		*s;

	tmp_path(out, sizeof(out), "sh-output");
	spec.argv = argv;
	spec.stdout_path = out;
	run(&spec, &res);
	assert_int_equal(res.exit_code, 0);
	assert_non_null(s = slurp(out));
	return s;
}

/* Run spec, which must start; fill res. */
static void
run(struct proc_spec *spec, struct proc_result *res)
{
	char	*err = NULL;
	pid_t	 self = getpid();
	int	 rc;

	if (spec->envp == NULL)
		spec->envp = environ;
	rc = process_run(spec, res, &err);
	/* A child that came back from a failed exec would fail here. */
	assert_int_equal(getpid(), self);
	if (rc != 0)
		fail_msg("process_run: %s", err != NULL ? err : "(no message)");
	assert_null(err);
}

static void
test_exit_codes(void **state)
{
	char		**t = av("/bin/true", NULL);
	char		**f = av("/bin/false", NULL);
	char		**s = av("sh", "-c", "exit 42", NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;

	(void)state;
	spec.argv = t;
	run(&spec, &res);
	assert_true(res.exited);
	assert_int_equal(res.exit_code, 0);
	assert_int_equal(res.signo, 0);
	assert_false(res.timed_out);
	assert_false(res.exec_failed);
	assert_false(res.stopped_by_tick);
	assert_int_equal(res.cancel_signo, 0);
	assert_true(res.elapsed > 0 && res.elapsed < 2);

	spec.argv = f;
	run(&spec, &res);
	assert_true(res.exited);
	assert_int_equal(res.exit_code, 1);

	spec.argv = s;
	run(&spec, &res);
	assert_true(res.exited);
	assert_int_equal(res.exit_code, 42);
}

static void
test_killed_by_signal(void **state)
{
	char		**argv = av("sh", "-c", "kill -TERM $$; sleep 5", NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;

	(void)state;
	spec.argv = argv;
	run(&spec, &res);
	assert_false(res.exited);
	assert_int_equal(res.signo, SIGTERM);
	assert_false(res.timed_out);
	assert_int_equal(res.cancel_signo, 0);
	assert_true(res.elapsed < 2);
}

static void
test_exec_enoent(void **state)
{
	char		**abs = av("/nonexistent/df-no-such", NULL);
	char		**rel = av("df-no-such-command-here", "x", NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;

	(void)state;
	spec.argv = abs;
	run(&spec, &res);
	assert_true(res.exec_failed);
	assert_int_equal(res.exec_errno, ENOENT);
	assert_true(res.exited);
	assert_int_equal(res.exit_code, 127);

	spec.argv = rel;
	run(&spec, &res);
	assert_true(res.exec_failed);
	assert_int_equal(res.exec_errno, ENOENT);
}

static void
test_exec_eacces(void **state)
{
	char		 path[PATH_MAX];
	char		**argv;
	struct proc_spec spec = { 0 };
	struct proc_result res;
	FILE		*f;

	(void)state;
	tmp_path(path, sizeof(path), "noexec.sh");
	argv = av(path, NULL);
	assert_non_null(f = fopen(path, "w"));
	fputs("#!/bin/sh\nexit 0\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0644), 0);

	spec.argv = argv;
	run(&spec, &res);
	assert_true(res.exec_failed);
	assert_int_equal(res.exec_errno, EACCES);
	assert_int_equal(res.exit_code, 127);
}

static void
test_timeout(void **state)
{
	char		**argv = av("sleep", "10", NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;

	(void)state;
	spec.argv = argv;
	spec.timeout_ms = 200;
	spec.grace_ms = 300;
	run(&spec, &res);
	assert_true(res.timed_out);
	assert_false(res.exited);
	assert_int_equal(res.signo, SIGTERM);
	assert_true(res.elapsed >= 0.2);
	assert_true(res.elapsed < 0.2 + 0.3);
}

static void
test_timeout_kill_after_grace(void **state)
{
	char		**argv = av("sh", "-c", "trap '' TERM; sleep 10", NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;

	(void)state;
	spec.argv = argv;
	spec.timeout_ms = 300;
	spec.grace_ms = 200;
	run(&spec, &res);
	assert_true(res.timed_out);
	assert_int_equal(res.signo, SIGKILL);
	assert_true(res.elapsed >= 0.5);
	assert_true(res.elapsed < 1.5);
}

static void
test_tick_called(void **state)
{
	char		**argv = av("sleep", "0.3", NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;
	struct tick_state ts = { 0 };

	(void)state;
	spec.argv = argv;
	spec.tick_ms = 50;
	spec.tick = tick;
	spec.arg = &ts;
	run(&spec, &res);
	assert_true(res.exited);
	assert_int_equal(res.exit_code, 0);
	assert_false(res.stopped_by_tick);
	/* Every 50 ms, never in bursts, however loaded the machine. */
	assert_true(ts.calls >= 2);
	assert_true(ts.calls <= res.elapsed / 0.05 + 1);
}

static void
test_tick_stops(void **state)
{
	char		**argv = av("sleep", "10", NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;
	struct tick_state ts = { 0 };

	(void)state;
	ts.stop_at = 3;
	spec.argv = argv;
	spec.tick_ms = 20;
	spec.tick = tick;
	spec.arg = &ts;
	run(&spec, &res);
	assert_true(res.stopped_by_tick);
	assert_false(res.timed_out);
	assert_int_equal(res.cancel_signo, 0);
	assert_int_equal(res.signo, SIGTERM);
	assert_int_equal(ts.calls, 3);
	assert_true(res.elapsed >= 0.06 && res.elapsed < 1);
}

static void
test_tick_stop_kill_after_grace(void **state)
{
	char		 ready[PATH_MAX];
	char		**argv;
	struct proc_spec spec = { 0 };
	struct proc_result res;
	struct tick_state ts = { 0 };

	(void)state;
	tmp_path(ready, sizeof(ready), "ready");
	ts.ready = ready;
	ts.stop_when_ready = true;
	argv = av("sh", "-c",
	    "trap '' TERM; : > \"$1\"; sleep 10", "sh", ready, NULL);
	spec.argv = argv;
	spec.tick_ms = 10;
	spec.grace_ms = 200;
	spec.tick = tick;
	spec.arg = &ts;
	run(&spec, &res);
	assert_true(res.stopped_by_tick);
	assert_int_equal(res.signo, SIGKILL);
	assert_true(res.elapsed >= 0.2 && res.elapsed < 1.5);
}

static void
test_forward_signal(void **state)
{
	char		 ready[PATH_MAX], got[PATH_MAX];
	char		**argv;
	struct proc_spec spec = { 0 };
	struct proc_result res;
	struct tick_state ts = { 0 };
	sigset_t	 pending;
	char		*s;

	(void)state;
	tmp_path(ready, sizeof(ready), "ready");
	tmp_path(got, sizeof(got), "got");
	argv = av("sh", "-c",
	    "trap 'echo TERM > \"$2\"; exit 3' TERM; : > \"$1\"; "
	    "sleep 10 & wait", "sh", ready, got, NULL);
	ts.ready = ready;
	ts.raise_sig = SIGTERM;
	spec.argv = argv;
	spec.tick_ms = 10;
	spec.tick = tick;
	spec.arg = &ts;
	run(&spec, &res);
	assert_true(ts.raised);
	assert_int_equal(res.cancel_signo, SIGTERM);
	assert_true(res.exited);
	assert_int_equal(res.exit_code, 3);
	assert_false(res.timed_out);
	assert_false(res.stopped_by_tick);
	assert_non_null(s = slurp(got));
	assert_string_equal(s, "TERM\n");
	free(s);
	/* Ours was taken, not left pending for later. */
	sigpending(&pending);
	assert_false(sigismember(&pending, SIGTERM));
}

static void
test_ignored_signal_not_forwarded(void **state)
{
	char		**argv = av("sleep", "10", NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;
	struct tick_state ts = { 0 };
	struct sigaction sa, old;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, &old);
	ts.raise_sig = SIGHUP;
	ts.stop_at = 5;
	spec.argv = argv;
	spec.tick_ms = 10;
	spec.tick = tick;
	spec.arg = &ts;
	run(&spec, &res);
	sigaction(SIGHUP, &old, NULL);
	/* nohup: SIGHUP stays ignored, so the tick had to stop it. */
	assert_int_equal(res.cancel_signo, 0);
	assert_true(res.stopped_by_tick);
	assert_int_equal(res.signo, SIGTERM);
}

static void
test_signal_state_restored(void **state)
{
	char		**argv = av("/bin/true", NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;
	struct sigaction sa, old, now;
	sigset_t	 before, after;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGCHLD, &sa, &old);
	sigprocmask(SIG_SETMASK, NULL, &before);
	spec.argv = argv;
	/* SIG_IGN would reap it behind our back: it must still work. */
	run(&spec, &res);
	assert_true(res.exited);
	assert_int_equal(res.exit_code, 0);
	sigprocmask(SIG_SETMASK, NULL, &after);
	sigaction(SIGCHLD, &old, &now);
	assert_true(now.sa_handler == SIG_IGN);
	assert_int_equal(sigismember(&after, SIGCHLD),
	    sigismember(&before, SIGCHLD));
	assert_int_equal(sigismember(&after, SIGTERM),
	    sigismember(&before, SIGTERM));
	assert_int_equal(sigismember(&after, SIGINT),
	    sigismember(&before, SIGINT));
}

static void
test_child_signal_state(void **state)
{
	char		 out[PATH_MAX];
	char		**argv = av("grep", "-E", "^Sig(Blk|Ign)",
	    "/proc/self/status", NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;
	struct sigaction sa, old;
	sigset_t	 set, oldset;
	char		*s;

	(void)state;
	tmp_path(out, sizeof(out), "sigstate");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGUSR2, &sa, &old);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &oldset);
	spec.argv = argv;
	spec.stdout_path = out;
	run(&spec, &res);
	sigprocmask(SIG_SETMASK, &oldset, NULL);
	sigaction(SIGUSR2, &old, NULL);
	assert_int_equal(res.exit_code, 0);
	assert_non_null(s = slurp(out));
	assert_string_equal(s,
	    "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
	free(s);
}

static void
test_no_fd_leak(void **state)
{
	char		 out[PATH_MAX];
	char		**argv = av("sh", "-c", "ls /proc/$$/fd; exit 0", NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;
	int		 fd, p[2];
	char		*s;

	(void)state;
	tmp_path(out, sizeof(out), "fds");
	/* Neither is close-on-exec: process_run must close them anyway. */
	assert_true((fd = open("/dev/null", O_RDONLY)) >= 3);
	assert_int_equal(pipe(p), 0);
	spec.argv = argv;
	spec.stdout_path = out;
	run(&spec, &res);
	close(fd);
	close(p[0]);
	close(p[1]);
	assert_int_equal(res.exit_code, 0);
	assert_non_null(s = slurp(out));
	assert_string_equal(s, "0\n1\n2\n");
	free(s);
}

static void
test_env_exact(void **state)
{
	char		 out[PATH_MAX];
	char		**argv = av("env", NULL);
	char		**envp = av("DF_A=1", "DF_B=two words", "dataid=x=y",
	    NULL);
	char		**empty = av(NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;
	char		*s;

	(void)state;
	tmp_path(out, sizeof(out), "env");
	spec.argv = argv;
	spec.envp = envp;
	spec.stdout_path = out;
	run(&spec, &res);
	assert_int_equal(res.exit_code, 0);
	assert_non_null(s = slurp(out));
	assert_string_equal(s, "DF_A=1\nDF_B=two words\ndataid=x=y\n");
	free(s);

	spec.envp = empty;
	run(&spec, &res);
	assert_int_equal(res.exit_code, 0);
	assert_non_null(s = slurp(out));
	assert_string_equal(s, "");
	free(s);
}

static void
test_log_files(void **state)
{
	char		 out[PATH_MAX], err[PATH_MAX];
	char		**argv = av("sh", "-c",
	    "echo out; echo err >&2; echo 2",
	    NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;
	struct stat	 st;
	FILE		*f;
	char		*s;

	(void)state;
	tmp_path(out, sizeof(out), "stdout.log");
	tmp_path(err, sizeof(err), "stderr.log");
	/* An old log is replaced, not appended to. */
	assert_non_null(f = fopen(out, "w"));
	fputs("old contents that must go away\n", f);
	fclose(f);
	chmod(out, 0600);

	spec.argv = argv;
	spec.stdout_path = out;
	spec.stderr_path = err;
	run(&spec, &res);
	assert_int_equal(res.exit_code, 0);
	assert_non_null(s = slurp(out));
	assert_string_equal(s, "out\n2\n");
	free(s);
	assert_non_null(s = slurp(err));
	assert_string_equal(s, "err\n");
	free(s);
	assert_int_equal(stat(err, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	/* One file for both: nothing overwritten. */
	spec.stderr_path = out;
	run(&spec, &res);
	assert_non_null(s = slurp(out));
	assert_string_equal(s, "out\nerr\n2\n");
	free(s);
}

static void
test_log_file_errors(void **state)
{
	char		 bad[PATH_MAX], lnk[PATH_MAX], target[PATH_MAX];
	char		**argv = av("/bin/true", NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;
	char		*err = NULL;

	(void)state;
	tmp_path(bad, sizeof(bad), "no/such/dir/out.log");
	spec.argv = argv;
	spec.envp = environ;
	spec.stdout_path = bad;
	assert_int_equal(process_run(&spec, &res, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, bad));
	assert_non_null(strstr(err, strerror(ENOENT)));
	free(err);
	err = NULL;

	/* A symbolic link is not followed. */
	tmp_path(target, sizeof(target), "target");
	tmp_path(lnk, sizeof(lnk), "link.log");
	assert_int_equal(symlink(target, lnk), 0);
	spec.stdout_path = NULL;
	spec.stderr_path = lnk;
	assert_int_equal(process_run(&spec, &res, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, lnk));
	free(err);
	assert_false(exists(target));
}

/* Expect process_run to refuse the spec with an error holding want. */
static void
refused(struct proc_spec *spec, const char *want)
{
	struct proc_result res;
	char		*err = NULL;

	assert_int_equal(process_run(spec, &res, &err), -1);
	assert_non_null(err);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not say \"%s\"", err, want);
	free(err);
}

/*
 * What others plant where the output goes is refused, at once: a FIFO
 * (with no reader it held the run in open() forever; with one, it took
 * the output), another user's file (never removed). A directory others can
 * write is refused unless it is sticky.
 */
static void
test_log_file_planted(void **state)
{
	char		 dir[PATH_MAX], out[PATH_MAX], want[PATH_MAX + 128];
	char		**argv = av("sh", "-c", "echo captured", NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;
	char		*got;
	int		 rfd;

	(void)state;
	tmp_path(dir, sizeof(dir), "planted");
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_true((size_t)snprintf(out, sizeof(out), "%s/job.out", dir) <
	    sizeof(out));
	spec.argv = argv;
	spec.stdout_path = out;

	/* A FIFO with no reader: refused without waiting for one. */
	assert_int_equal(mkfifo(out, 0666), 0);
	refused(&spec, "a FIFO or socket is there");
	/* With a reader: refused too, and the reader gets nothing. */
	assert_true((rfd = open(out, O_RDONLY | O_NONBLOCK)) != -1);
	refused(&spec, "a FIFO is there");
	assert_int_equal(read(rfd, want, sizeof(want)), 0);
	close(rfd);
	assert_int_equal(unlink(out), 0);

	/* Others may write the directory: refused, unless sticky. */
	assert_int_equal(chmod(dir, 0777), 0);
	snprintf(want, sizeof(want), "refusing directory \"%s\": writable "
	    "by others and not sticky (mode 0777)", dir);
	refused(&spec, want);
	assert_false(exists(out));
	assert_int_equal(process_check_log_dir(dir, NULL), -1);
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(process_check_log_dir(dir, NULL), 0);
	run(&spec, &res);
	assert_int_equal(res.exit_code, 0);
	assert_non_null(got = slurp(out));
	assert_string_equal(got, "captured\n");
	free(got);

	/* Another user's file there is left alone (root can make one). */
	if (geteuid() == 0) {
		assert_int_equal(chown(out, 54321, 54321), 0);
		refused(&spec, "a file of uid 54321 is there, not yours");
		assert_non_null(got = slurp(out));
		assert_string_equal(got, "captured\n");
		free(got);
	}
	assert_int_equal(chmod(dir, 0700), 0);
}

static void
test_bad_spec(void **state)
{
	char		**empty = av(NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;
	char		*err = NULL;

	(void)state;
	assert_int_equal(process_run(&spec, &res, &err), -1);
	assert_non_null(err);
	free(err);
	err = NULL;
	spec.argv = empty;
	assert_int_equal(process_run(&spec, &res, &err), -1);
	assert_non_null(err);
	free(err);
}

static void
test_process_group(void **state)
{
	long		 pid, pgid, ppid, ppgid;
	char		*s;

	(void)state;
	/* pid, pgid, parent pid and the parent's pgid of the script. */
	s = sh_output("echo $$ $(cut -d' ' -f5 /proc/$$/stat) $PPID "
	    "$(cut -d' ' -f5 /proc/$PPID/stat)");
	assert_int_equal(sscanf(s, "%ld %ld %ld %ld", &pid, &pgid, &ppid,
	    &ppgid), 4);
	free(s);
	/* A group of its own, which the script leads, spawned by the guard
	 * between us and it; the guard is in neither our group nor its. */
	assert_int_equal(pid, pgid);
	assert_int_not_equal(pgid, (long)getpgrp());
	assert_int_not_equal(ppid, (long)getpid());
	assert_int_not_equal(ppgid, (long)getpgrp());
	assert_int_not_equal(ppgid, pgid);
}

/* Run "echo $PPID" and return the guard that ran it. */
static long
guard_of_run(void)
{
	long	 ppid;
	char	*s;

	s = sh_output("echo $PPID");
	ppid = strtol(s, NULL, 10);
	free(s);
	assert_true(ppid > 1 && ppid != (long)getpid());
	return ppid;
}

/* One guard serves every run; a dead one is replaced before the next. */
static void
test_guard_reused(void **state)
{
	long	 g1, g2, g3;

	(void)state;
	g1 = guard_of_run();
	g2 = guard_of_run();
	assert_int_equal(g1, g2);
	assert_int_equal(kill((pid_t)g1, SIGKILL), 0);
	assert_true(wait_until_gone((pid_t)g1));
	g3 = guard_of_run();
	assert_int_not_equal(g3, g1);
	assert_int_equal(guard_of_run(), g3);
}

/* A tick that kills the guard once the script has said who it is. */
static int
kill_guard_tick(void *arg)
{
	const char	*pidfile = arg;
	long		 script, guard;
	char		*s;

	if ((s = slurp(pidfile)) == NULL)
		return 0;
	if (sscanf(s, "%ld %ld", &script, &guard) == 2 && guard > 1)
		kill((pid_t)guard, SIGKILL);
	free(s);
	return 0;
}

/* A guard killed under a running script: the run is an error, the script
 * dies with the guard, and the next run gets a new guard. */
static void
test_guard_dies(void **state)
{
	char		 pidfile[PATH_MAX];
	char		**argv;
	struct proc_spec spec = { 0 };
	struct proc_result res;
	long		 script, guard;
	char		*s, *err = NULL;

	(void)state;
	tmp_path(pidfile, sizeof(pidfile), "guard");
	argv = av("sh", "-c", "echo $$ $PPID > \"$1.tmp\"; "
	    "mv \"$1.tmp\" \"$1\"; exec sleep 30", "sh", pidfile, NULL);
	spec.argv = argv;
	spec.envp = environ;
	spec.tick_ms = 10;
	spec.tick = kill_guard_tick;
	spec.arg = pidfile;
	assert_int_equal(process_run(&spec, &res, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "guard"));
	free(err);
	assert_non_null(s = slurp(pidfile));
	assert_int_equal(sscanf(s, "%ld %ld", &script, &guard), 2);
	free(s);
	assert_true(wait_until_gone((pid_t)script));
	assert_int_not_equal(guard_of_run(), guard);
}

static void
test_stragglers_killed(void **state)
{
	char		 pidfile[PATH_MAX];
	char		**argv;
	struct proc_spec spec = { 0 };
	struct proc_result res;
	long		 pid;
	char		*s;

	(void)state;
	tmp_path(pidfile, sizeof(pidfile), "straggler");
	argv = av("sh", "-c", "sleep 30 & echo $! > \"$1\"",
	    "sh", pidfile, NULL);
	spec.argv = argv;
	run(&spec, &res);
	assert_int_equal(res.exit_code, 0);
	assert_non_null(s = slurp(pidfile));
	pid = strtol(s, NULL, 10);
	free(s);
	assert_true(pid > 1);
	assert_true(wait_until_gone((pid_t)pid));
}

static void
test_dies_with_parent(void **state)
{
	char		 pidfile[PATH_MAX];
	char		**argv;
	struct proc_spec spec = { 0 };
	struct proc_result res;
	pid_t		 helper;
	long		 pid;
	double		 until;
	char		*s = NULL;
	int		 status;

	(void)state;
	tmp_path(pidfile, sizeof(pidfile), "orphan");
	argv = av("sh", "-c", "echo $$ > \"$1.tmp\"; "
	    "mv \"$1.tmp\" \"$1\"; exec sleep 30", "sh", pidfile, NULL);
	spec.argv = argv;
	spec.envp = environ;
	if ((helper = fork()) == 0) {
		process_run(&spec, &res, NULL);
		_exit(0);
	}
	assert_true(helper > 0);
	until = now_s() + 5;
	while ((s = slurp(pidfile)) == NULL && now_s() < until)
		usleep(5000);
	kill(helper, SIGKILL);
	assert_int_equal(waitpid(helper, &status, 0), helper);
	assert_non_null(s);
	pid = strtol(s, NULL, 10);
	free(s);
	assert_true(pid > 1);
	assert_true(wait_until_gone((pid_t)pid));
}

struct collected {
	char	 buf[8192];
	size_t	 len;
	int	 calls;
};

static void
collect(void *arg, const char *buf, size_t n)
{
	struct collected *c = arg;

	if (n > sizeof(c->buf) - 1 - c->len)
		n = sizeof(c->buf) - 1 - c->len;
	memcpy(c->buf + c->len, buf, n);
	c->len += n;
	c->buf[c->len] = '\0';
	c->calls++;
}

/* stderr_cb sees all the child's stderr, as it comes, and nothing else. */
static void
test_stderr_tee(void **state)
{
	char		**argv = av("sh", "-c", "echo out; echo first >&2; "
	    "sleep 0.2; echo second >&2; (echo grandchild >&2)", NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;
	struct collected c;

	(void)state;
	memset(&c, 0, sizeof(c));
	spec.argv = argv;
	spec.stdout_path = "/dev/null";
	spec.stderr_cb = collect;
	spec.stderr_arg = &c;
	run(&spec, &res);
	assert_true(res.exited);
	assert_int_equal(res.exit_code, 0);
	assert_string_equal(c.buf, "first\nsecond\ngrandchild\n");
	/* Passed on while it ran, not only at the end. */
	assert_true(c.calls >= 2);
}

/*
 * Output to a device is written to, never replaced: a log file that exists
 * is replaced by a new one, and an early version of that replaced
 * /dev/null itself when running as root.
 */
static void
test_devnull_kept(void **state)
{
	char		**argv = av("sh", "-c", "echo to-null; echo err >&2",
	    NULL);
	struct proc_spec spec = { 0 };
	struct proc_result res;
	struct stat	 sb;

	(void)state;
	spec.argv = argv;
	spec.stdout_path = "/dev/null";
	spec.stderr_path = "/dev/null";
	run(&spec, &res);
	assert_true(res.exited);
	assert_int_equal(res.exit_code, 0);
	assert_int_equal(lstat("/dev/null", &sb), 0);
	assert_true(S_ISCHR(sb.st_mode));
}

/* The script's own children die with the wrapper too (the guard). */
static void
test_tree_dies_with_parent(void **state)
{
	char		 pidfile[PATH_MAX];
	char		**argv;
	struct proc_spec spec = { 0 };
	struct proc_result res;
	pid_t		 helper;
	long		 script, grandchild;
	double		 until;
	char		*s = NULL;
	int		 status;

	(void)state;
	tmp_path(pidfile, sizeof(pidfile), "tree");
	argv = av("sh", "-c", "sleep 30 & echo $$ $! > \"$1.tmp\"; "
	    "mv \"$1.tmp\" \"$1\"; wait", "sh", pidfile, NULL);
	spec.argv = argv;
	spec.envp = environ;
	if ((helper = fork()) == 0) {
		process_run(&spec, &res, NULL);
		_exit(0);
	}
	assert_true(helper > 0);
	until = now_s() + 5;
	while ((s = slurp(pidfile)) == NULL && now_s() < until)
		usleep(5000);
	kill(helper, SIGKILL);
	assert_int_equal(waitpid(helper, &status, 0), helper);
	assert_non_null(s);
	assert_int_equal(sscanf(s, "%ld %ld", &script, &grandchild), 2);
	free(s);
	assert_true(script > 1 && grandchild > 1);
	assert_true(wait_until_gone((pid_t)script));
	assert_true(wait_until_gone((pid_t)grandchild));
}

static void
test_which(void **state)
{
	char		 noexec[PATH_MAX], yes[PATH_MAX], path[PATH_MAX * 2];
	char		*p, *oldpath;
	FILE		*f;

	(void)state;
	assert_non_null(p = process_which("sh"));
	assert_true(strlen(p) > 3 && strcmp(p + strlen(p) - 3, "/sh") == 0);
	assert_int_equal(access(p, X_OK), 0);
	free(p);
	assert_non_null(p = process_which("/bin/sh"));
	assert_string_equal(p, "/bin/sh");
	free(p);

	errno = 0;
	assert_null(process_which("df-no-such-command-here"));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(process_which("/nonexistent/sh"));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(process_which(""));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(process_which(tmpdir));
	assert_int_equal(errno, EACCES);

	/* Found but not executable: EACCES, unless found later in PATH. */
	tmp_path(noexec, sizeof(noexec), "df-which");
	assert_non_null(f = fopen(noexec, "w"));
	fclose(f);
	chmod(noexec, 0644);
	tmp_path(yes, sizeof(yes), "bin");
	assert_int_equal(mkdir(yes, 0700), 0);
	tmp_path(yes, sizeof(yes), "bin/df-which");
	assert_non_null(f = fopen(yes, "w"));
	fclose(f);
	chmod(yes, 0755);

	oldpath = strdup(getenv("PATH"));
	assert_non_null(oldpath);
	setenv("PATH", tmpdir, 1);
	errno = 0;
	p = process_which("df-which");
	assert_null(p);
	assert_int_equal(errno, EACCES);
	snprintf(path, sizeof(path), "/nonexistent:%s:%s/bin", tmpdir, tmpdir);
	setenv("PATH", path, 1);
	p = process_which("df-which");
	setenv("PATH", oldpath, 1);
	free(oldpath);
	assert_non_null(p);
	assert_string_equal(p, yes);
	free(p);
}

/* A crash loop backs off to the most; a healthy life starts it over. */
static void
test_restart_backoff(void **state)
{
	long	 d = 0;
	int	 i;

	(void)state;
	assert_int_equal(process_restart_backoff(0, 0), 1000);
	for (i = 0; i < 20; i++)
		d = process_restart_backoff(d, 0.5);
	assert_int_equal(d, PROCESS_RESTART_MAX_MS);
	assert_int_equal(process_restart_backoff(1000, 1), 2000);
	assert_int_equal(process_restart_backoff(32000, 1), 60000);
	assert_int_equal(process_restart_backoff(60000, 59.9), 60000);
	/* Ran a minute or more: back to the first wait, then doubling. */
	d = process_restart_backoff(60000, PROCESS_RESTART_HEALTHY_SECS);
	assert_int_equal(d, PROCESS_RESTART_FIRST_MS);
	assert_int_equal(process_restart_backoff(d, 3), 2000);
	assert_int_equal(process_restart_backoff(60000, 3600), 1000);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_teardown(f, av_free)
	const struct CMUnitTest tests[] = {
		T(test_exit_codes),
		T(test_killed_by_signal),
		T(test_exec_enoent),
		T(test_exec_eacces),
		T(test_timeout),
		T(test_timeout_kill_after_grace),
		T(test_tick_called),
		T(test_tick_stops),
		T(test_tick_stop_kill_after_grace),
		T(test_forward_signal),
		T(test_ignored_signal_not_forwarded),
		T(test_signal_state_restored),
		T(test_child_signal_state),
		T(test_no_fd_leak),
		T(test_env_exact),
		T(test_log_files),
		T(test_log_file_errors),
		T(test_log_file_planted),
		T(test_bad_spec),
		T(test_process_group),
		T(test_guard_reused),
		T(test_guard_dies),
		T(test_stragglers_killed),
		T(test_dies_with_parent),
		T(test_tree_dies_with_parent),
		T(test_stderr_tee),
		T(test_devnull_kept),
		T(test_which),
		T(test_restart_backoff),
	};
#undef T

	return cmocka_run_group_tests(tests, setup, teardown);
}
