/* process.c: run a job's script in its own process group: forward signals,
 * stop it at its timeout or when its lease is lost, keep the lease alive. */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#if defined(HAVE_SYS_PRCTL_H) || defined(__linux__)
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "process.h"
#include "xmalloc.h"

extern char **environ;

#define PROCESS_GRACE_MS	10000		/* default SIGTERM to SIGKILL */
#define PROCESS_NEVER		INT64_MAX	/* no deadline */
#define PROCESS_NS_PER_MS	1000000LL
#define PROCESS_NS_PER_S	1000000000LL
#define PROCESS_EXEC_FAILED	127		/* the child's status, as sh */

/* What we forward to the child; SIGCHLD only wakes us up. */
static const int process_fwd[] = { SIGINT, SIGTERM, SIGHUP };
#define PROCESS_NFWD	(sizeof(process_fwd) / sizeof(process_fwd[0]))

/* The caller's signal state, put back when the child is reaped. */
struct process_sigsave {
	sigset_t		waitset;	/* what sigtimedwait() takes */
	sigset_t		oldmask;
	struct sigaction	oldchld;
};

static int64_t	process_now(void);
static int64_t	process_deadline(int64_t, long);
static int	process_fd_high(int);
static int	process_open_log(const char *, char **);
static int	process_sig_block(struct process_sigsave *);
static void	process_sig_restore(const struct process_sigsave *);
static int	process_wait(int, int *, const struct proc_spec *, int64_t);
static void	process_tee(int *, const struct proc_spec *);
static void	process_kill(pid_t, int);
static void	process_sig_default_raw(int);
static void	process_close_fds(int);
static void	process_child(const struct proc_spec *, pid_t, int, int, int)
		    __attribute__((noreturn));
static void	process_guard(const struct proc_spec *, pid_t, int, int, int,
		    int) __attribute__((noreturn));
static int	process_executable(const char *);
static void	process_seterr(char **, const char *, const char *, int);

static int64_t
process_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * PROCESS_NS_PER_S + ts.tv_nsec;
}

/* Return start + ms, or PROCESS_NEVER for "no deadline" and overflows. */
static int64_t
process_deadline(int64_t start, long ms)
{
	if (ms <= 0 || ms > (PROCESS_NEVER - start) / PROCESS_NS_PER_MS)
		return PROCESS_NEVER;
	return start + (int64_t)ms * PROCESS_NS_PER_MS;
}

/*
 * Return fd moved to 3 or above, close-on-exec, or -1 (fd is closed either
 * way). Run with 0-2 closed, open() may return one of them, and setting up
 * the child's 0-2 would then clobber it.
 */
static int
process_fd_high(int fd)
{
	int	 nfd, saved;

	if (fd < 0 || fd > STDERR_FILENO)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	saved = errno;
	close(fd);
	errno = saved;
	return nfd;
}

static void
process_seterr(char **errp, const char *what, const char *path, int e)
{
	if (errp == NULL)
		return;
	if (path != NULL)
		*errp = xasprintf("%s \"%s\": %s", what, path, strerror(e));
	else
		*errp = xasprintf("%s: %s", what, strerror(e));
}

/*
 * Open the child's output file here, where errors can be reported. A
 * regular file is always a new one (O_EXCL): one planted in the log
 * directory would keep its owner's permissions and let others read the
 * output, so an existing regular file is replaced. A symbolic link is
 * refused. Anything else that exists (/dev/null, a FIFO) is written to as
 * it is: never removed.
 */
static int
process_open_log(const char *path, char **errp)
{
	struct stat	 sb;
	int		 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1 && errno == EEXIST) {
		if (lstat(path, &sb) == -1)
			errno = EEXIST;	/* there a moment ago: say so */
		else if (S_ISLNK(sb.st_mode))
			errno = ELOOP;
		else if (!S_ISREG(sb.st_mode))
			fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		else if (unlink(path) == 0)
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, 0600);
	}
	if (fd != -1)
		fd = process_fd_high(fd);
	if (fd == -1)
		process_seterr(errp, "could not create", path, errno);
	return fd;
}

/*
 * Block SIGCHLD and the signals to forward, so that they wait for
 * sigtimedwait() instead of racing with it. A forwardable signal the caller
 * ignores (nohup) stays ignored and is not forwarded. SIGCHLD gets its
 * default action: SIG_IGN or SA_NOCLDWAIT would reap the child behind us.
 */
static int
process_sig_block(struct process_sigsave *ss)
{
	struct sigaction	 sa, old;
	size_t			 i;
	int			 saved;

	sigemptyset(&ss->waitset);
	sigaddset(&ss->waitset, SIGCHLD);
	for (i = 0; i < PROCESS_NFWD; i++) {
		if (sigaction(process_fwd[i], NULL, &old) == 0 &&
		    (old.sa_flags & SA_SIGINFO) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaddset(&ss->waitset, process_fwd[i]);
	}
	if (sigprocmask(SIG_BLOCK, &ss->waitset, &ss->oldmask) == -1)
		return -1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGCHLD, &sa, &ss->oldchld) == -1) {
		saved = errno;
		sigprocmask(SIG_SETMASK, &ss->oldmask, NULL);
		errno = saved;
		return -1;
	}
	return 0;
}

/*
 * Put the caller's SIGCHLD action and mask back. A signal that came after
 * the child was reaped stays pending for the caller's own disposition.
 */
static void
process_sig_restore(const struct process_sigsave *ss)
{
	sigaction(SIGCHLD, &ss->oldchld, NULL);
	sigprocmask(SIG_SETMASK, &ss->oldmask, NULL);
}

/* Return the next signal of set, or -1 (EAGAIN) when deadline comes first. */
/* Pass what the child wrote to its stderr pipe on; close it at EOF. */
static void
process_tee(int *fd, const struct proc_spec *spec)
{
	char	 buf[4096];
	ssize_t	 n;

	for (;;) {
		n = read(*fd, buf, sizeof(buf));
		if (n > 0) {
			spec->stderr_cb(spec->stderr_arg, buf, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			close(*fd);
			*fd = -1;
		}
		return;
	}
}

/*
 * Wait for one of the blocked signals (read from sfd: return its number),
 * the deadline (return 0) or output on the stderr pipe *teefd (passed on;
 * return 0). Return -1 on error.
 */
static int
process_wait(int sfd, int *teefd, const struct proc_spec *spec,
    int64_t deadline)
{
	struct signalfd_siginfo	 si;
	struct pollfd		 pfd[2];
	int64_t			 left;
	nfds_t			 n = 1;
	int			 timeout = -1, rc;

	pfd[0].fd = sfd;
	pfd[0].events = POLLIN;
	if (*teefd != -1) {
		pfd[1].fd = *teefd;
		pfd[1].events = POLLIN;
		n = 2;
	}
	if (deadline != PROCESS_NEVER) {
		left = deadline - process_now();
		/* Round up: waking early would spin. */
		timeout = left <= 0 ? 0 : (int)((left + PROCESS_NS_PER_MS - 1) /
		    PROCESS_NS_PER_MS);
	}
	if ((rc = poll(pfd, n, timeout)) <= 0)
		return rc == 0 || errno == EINTR ? 0 : -1;
	if (n == 2 && pfd[1].revents != 0)
		process_tee(teefd, spec);
	if ((pfd[0].revents & POLLIN) != 0 &&
	    read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		return (int)si.ssi_signo;
	return 0;
}

/*
 * Signal the child's process group. The unreaped child holds its pid, so
 * the group cannot be another one; if the group was never made (both
 * setpgid() calls failed), signal the child alone.
 */
static void
process_kill(pid_t pid, int sig)
{
	if (kill(-pid, sig) == -1 && errno == ESRCH)
		kill(pid, sig);
}

/*
 * In the child: set sig to SIG_DFL past libc, which keeps the signals it
 * uses for threads (32, 33) to itself: one ignored by an ancestor would
 * survive exec. An all-zero kernel sigaction is SIG_DFL whatever its layout.
 */
static void
process_sig_default_raw(int sig)
{
#ifdef SYS_rt_sigaction
	static const unsigned long	 zero[16];

	syscall(SYS_rt_sigaction, sig, zero, NULL, (NSIG - 1) / 8);
#else
	(void)sig;
#endif
}

/* In the child: close every descriptor from 3 up, but keep. */
static void
process_close_fds(int keep)
{
	int	 fd;

#ifdef HAVE_CLOSE_RANGE
	if ((keep == 3 || close_range(3, keep - 1, 0) == 0) &&
	    close_range(keep + 1, ~0U, 0) == 0)
		return;
	/* ENOSYS: a kernel older than 5.9. */
#endif
	for (fd = 3; fd < keep; fd++)
		close(fd);
	closefrom(keep + 1);
}

/*
 * In the child, between fork and exec: only async-signal-safe calls. Any
 * failure is reported through report (close-on-exec, so the parent reads
 * EOF on success) as an errno value.
 */
static void
process_child(const struct proc_spec *spec, pid_t parent, int outfd,
    int errfd, int report)
{
	struct sigaction	 sa;
	sigset_t		 none;
	ssize_t			 n;
	int			 sig, e;

	/* In the guard's process group; dies with the guard. */
#ifdef PR_SET_PDEATHSIG
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		goto fail;
	/* The parent may have died before prctl: nobody would kill us. */
	if (getppid() != parent)
		_exit(PROCESS_EXEC_FAILED);
#else
	(void)parent;
#endif

	/* Pending signals are not inherited, so nothing fires in between. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sigaction(sig, &sa, NULL) == -1 && errno == EINVAL)
			process_sig_default_raw(sig);
	}

	if (outfd != -1 && dup2(outfd, STDOUT_FILENO) == -1)
		goto fail;
	if (errfd != -1 && dup2(errfd, STDERR_FILENO) == -1)
		goto fail;
	process_close_fds(report);

	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		goto fail;

	execvpe(spec->argv[0], spec->argv,
	    spec->envp != NULL ? spec->envp : environ);
fail:
	e = errno;
	do
		n = write(report, &e, sizeof(e));
	while (n == -1 && errno == EINTR);
	_exit(PROCESS_EXEC_FAILED);
}

/*
 * The guard: leader of the script's process group, between the wrapper and
 * the script. PR_SET_PDEATHSIG kills only a direct child, so a script's own
 * children (a psql, a python) would outlive a SIGKILLed wrapper and go on
 * writing while its partition is run again elsewhere. The guard is told
 * when the wrapper dies and kills the whole group. It passes the script's
 * wait status to the wrapper through statusfd. Async-signal-safe only.
 */
static void
process_guard(const struct proc_spec *spec, pid_t parent, int outfd,
    int errfd, int report, int statusfd)
{
	sigset_t	 set;
	pid_t		 pid, self = getpid();
	ssize_t		 n;
	int		 status, sig;

	setpgid(0, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
#ifdef PR_SET_PDEATHSIG
	if (prctl(PR_SET_PDEATHSIG, SIGRTMIN) == -1 || getppid() != parent)
		_exit(PROCESS_EXEC_FAILED);
#else
	(void)parent;
#endif
	if ((pid = fork()) == -1)
		_exit(PROCESS_EXEC_FAILED);
	if (pid == 0)
		process_child(spec, self, outfd, errfd, report);
	close(report);
	if (outfd != -1)
		close(outfd);
	if (errfd != -1 && errfd != outfd)
		close(errfd);
	for (;;) {
		if ((sig = sigwaitinfo(&set, NULL)) == -1)
			continue;
		if (sig == SIGRTMIN) {
			/* The wrapper is gone: so is everything it ran. */
			kill(0, SIGKILL);
			_exit(PROCESS_EXEC_FAILED);
		}
		/* INT, TERM, HUP reach the script through the group. */
		if (sig != SIGCHLD)
			continue;
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	do
		n = write(statusfd, &status, sizeof(status));
	while (n == -1 && errno == EINTR);
	_exit(0);
}

int
process_run(const struct proc_spec *spec, struct proc_result *res,
    char **errp)
{
	struct process_sigsave	 ss;
	siginfo_t		 info;
	int64_t			 start, now, t_timeout, t_tick, t_kill, next;
	pid_t			 pid = -1, parent;
	long			 grace;
	ssize_t			 n;
	bool			 blocked = false, stopping = false;
	int			 outfd = -1, errfd = -1, report[2] = { -1, -1 };
	int			 statusp[2] = { -1, -1 };
	int			 teep[2] = { -1, -1 }, sfd = -1;
	int			 status, sig, e, ret = -1;

	memset(res, 0, sizeof(*res));
	if (spec->argv == NULL || spec->argv[0] == NULL ||
	    spec->argv[0][0] == '\0') {
		process_seterr(errp, "no command to run", NULL, EINVAL);
		goto out;
	}

	if (spec->stdout_path != NULL &&
	    (outfd = process_open_log(spec->stdout_path, errp)) == -1)
		goto out;
	if (spec->stderr_path != NULL) {
		/* One file for both: one descriptor, or they overwrite. */
		if (spec->stdout_path != NULL &&
		    strcmp(spec->stdout_path, spec->stderr_path) == 0)
			errfd = outfd;
		else if ((errfd = process_open_log(spec->stderr_path,
		    errp)) == -1)
			goto out;
	}
	if (spec->stderr_cb != NULL && spec->stderr_path == NULL) {
		/* The child writes into the pipe; we read it as it comes. */
		if (pipe2(teep, O_CLOEXEC) == -1 ||
		    (teep[0] = process_fd_high(teep[0])) == -1 ||
		    (teep[1] = process_fd_high(teep[1])) == -1 ||
		    fcntl(teep[0], F_SETFL, O_NONBLOCK) == -1) {
			process_seterr(errp, "could not create a pipe", NULL,
			    errno);
			goto out;
		}
		errfd = teep[1];
		teep[1] = -1;
	}
	if (pipe2(report, O_CLOEXEC) == -1 ||
	    (report[0] = process_fd_high(report[0])) == -1 ||
	    (report[1] = process_fd_high(report[1])) == -1 ||
	    pipe2(statusp, O_CLOEXEC) == -1 ||
	    (statusp[0] = process_fd_high(statusp[0])) == -1 ||
	    (statusp[1] = process_fd_high(statusp[1])) == -1) {
		process_seterr(errp, "could not create a pipe", NULL, errno);
		goto out;
	}

	if (process_sig_block(&ss) == -1) {
		process_seterr(errp, "could not block signals", NULL, errno);
		goto out;
	}
	blocked = true;
	if ((sfd = signalfd(-1, &ss.waitset, SFD_CLOEXEC | SFD_NONBLOCK)) == -1 ||
	    (sfd = process_fd_high(sfd)) == -1) {
		process_seterr(errp, "could not watch signals", NULL, errno);
		goto out;
	}

	parent = getpid();
	start = process_now();
	if ((pid = fork()) == -1) {
		process_seterr(errp, "could not fork", NULL, errno);
		goto out;
	}
	if (pid == 0) {
		close(statusp[0]);
		close(report[0]);
		process_guard(spec, parent, outfd, errfd, report[1],
		    statusp[1]);
	}

	/* Also here: whoever comes first, the group exists before exec. */
	setpgid(pid, pid);
	close(report[1]);
	report[1] = -1;
	close(statusp[1]);
	statusp[1] = -1;
	if (errfd != outfd && errfd != -1)
		close(errfd);
	if (outfd != -1)
		close(outfd);
	outfd = errfd = -1;

	/* EOF once exec succeeded; an errno if it failed. */
	do
		n = read(report[0], &e, sizeof(e));
	while (n == -1 && errno == EINTR);
	if (n == sizeof(e)) {
		res->exec_failed = true;
		res->exec_errno = e;
	}

	grace = spec->grace_ms > 0 ? spec->grace_ms : PROCESS_GRACE_MS;
	t_timeout = process_deadline(start, spec->timeout_ms);
	t_tick = spec->tick != NULL && !res->exec_failed ?
	    process_deadline(start, spec->tick_ms) : PROCESS_NEVER;
	t_kill = PROCESS_NEVER;

	for (;;) {
		/* WNOWAIT: the zombie keeps the pgid ours until the end. */
		memset(&info, 0, sizeof(info));
		if (waitid(P_PID, pid, &info,
		    WEXITED | WNOHANG | WNOWAIT) == -1) {
			if (errno == EINTR)
				continue;
			/* Cannot watch it: end it, the reaping says how. */
			process_kill(pid, SIGKILL);
			break;
		}
		if (info.si_pid == pid)
			break;

		now = process_now();
		if (!stopping && now >= t_timeout) {
			res->timed_out = true;
			process_kill(pid, SIGTERM);
			stopping = true;
			t_kill = process_deadline(now, grace);
		}
		if (now >= t_kill) {
			process_kill(pid, SIGKILL);
			t_kill = PROCESS_NEVER;
		}
		if (now >= t_tick) {
			/* Going on through the grace period: it still runs. */
			if (spec->tick(spec->arg) == -1) {
				res->stopped_by_tick = true;
				t_tick = PROCESS_NEVER;
				/* A lost lease may allow less than the
				 * grace period: the kill comes sooner. */
				if (!stopping || (spec->tick_grace_ms > 0 &&
				    spec->tick_grace_ms < grace)) {
					if (!stopping)
						process_kill(pid, SIGTERM);
					stopping = true;
					t_kill = process_deadline(process_now(),
					    spec->tick_grace_ms > 0 ?
					    spec->tick_grace_ms : grace);
				}
			} else {
				/* A slow tick does not make a burst of them. */
				t_tick += spec->tick_ms * PROCESS_NS_PER_MS;
				if (t_tick <= (now = process_now()))
					t_tick = process_deadline(now,
					    spec->tick_ms);
			}
		}

		next = t_kill < t_tick ? t_kill : t_tick;
		if (!stopping && t_timeout < next)
			next = t_timeout;
		if ((sig = process_wait(sfd, &teep[0], spec, next)) <= 0 ||
		    sig == SIGCHLD)
			continue;

		/* SIGINT, SIGTERM or SIGHUP: pass it on, each time. */
		if (res->cancel_signo == 0)
			res->cancel_signo = sig;
		process_kill(pid, sig);
		if (!stopping) {
			stopping = true;
			t_kill = process_deadline(process_now(), grace);
		}
	}

	/* Stragglers must not outlive the run, then reap the leader. */
	process_kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			process_seterr(errp, "could not reap the child", NULL,
			    errno);
			goto out;
		}
	}
	res->elapsed = (double)(process_now() - start) / PROCESS_NS_PER_S;
	/* The group is dead: what is left in the pipe is all there is. */
	if (teep[0] != -1)
		process_tee(&teep[0], spec);
	/* The script's own status, from the guard; if the guard was killed
	 * first (SIGKILL at the end of a grace period), the script was too. */
	do
		n = read(statusp[0], &e, sizeof(e));
	while (n == -1 && errno == EINTR);
	if (n == sizeof(e))
		status = e;
	if (WIFEXITED(status)) {
		res->exited = true;
		res->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status))
		res->signo = WTERMSIG(status);
	ret = 0;

out:
	if (blocked)
		process_sig_restore(&ss);
	if (errfd != -1 && errfd != outfd)
		close(errfd);
	if (outfd != -1)
		close(outfd);
	if (report[0] != -1)
		close(report[0]);
	if (report[1] != -1)
		close(report[1]);
	if (sfd != -1)
		close(sfd);
	if (teep[0] != -1)
		close(teep[0]);
	if (teep[1] != -1)
		close(teep[1]);
	if (statusp[0] != -1)
		close(statusp[0]);
	if (statusp[1] != -1)
		close(statusp[1]);
	return ret;
}

/* Return 0 if path is an executable regular file, or -1 and errno. */
static int
process_executable(const char *path)
{
	struct stat	 st;

	if (stat(path, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return -1;
	}
	return faccessat(AT_FDCWD, path, X_OK, AT_EACCESS);
}

char *
process_which(const char *prog)
{
	const char	*path, *p, *end;
	char		*cand;
	bool		 denied = false;
	int		 e;

	if (prog == NULL || *prog == '\0') {
		errno = ENOENT;
		return NULL;
	}
	if (strchr(prog, '/') != NULL) {
		if (process_executable(prog) == -1) {
			if (errno != EACCES)
				errno = ENOENT;
			return NULL;
		}
		return xstrdup(prog);
	}

	/* As glibc's execvp: confstr(_CS_PATH) without PATH, "" is ".". */
	if ((path = getenv("PATH")) == NULL)
		path = "/bin:/usr/bin";
	for (p = path;; p = end + 1) {
		end = strchrnul(p, ':');
		if (end == p)
			cand = xasprintf("./%s", prog);
		else
			cand = xasprintf("%.*s/%s", (int)(end - p), p, prog);
		if (process_executable(cand) == 0)
			return cand;
		e = errno;
		free(cand);
		if (e == EACCES)
			denied = true;
		if (*end == '\0')
			break;
	}
	errno = denied ? EACCES : ENOENT;
	return NULL;
}
