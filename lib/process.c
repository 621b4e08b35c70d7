/* process.c: run a job's script in its own process group: forward signals,
 * stop it at its timeout or when its lease is lost, keep the lease alive.
 *
 * Longer than the thousand lines the style aims at, on purpose: the guard
 * process (forked once, spawning each script after vfork), its socket
 * protocol and the parent's wait loop are one state machine whose
 * invariants (who holds which descriptor, which signals are blocked where,
 * who kills the group) are easier to check in one file than across a
 * split; spawn.c and fileio.c hold what is not specific to it. */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#if defined(HAVE_SYS_PRCTL_H) || defined(__linux__)
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harden.h"
#include "process.h"
#include "spawn.h"
#include "trust.h"
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

/*
 * The guard.
 *
 * PR_SET_PDEATHSIG kills only a direct child, so a script's own children (a
 * psql, a python) would outlive a SIGKILLed wrapper and go on writing while
 * their partition is run again elsewhere. The script is therefore spawned
 * by a guard process, forked from the wrapper, which is told when the
 * wrapper dies (its own PR_SET_PDEATHSIG, and EOF on its socket) and then
 * kills the script's whole process group.
 *
 * One guard serves every run of a wrapper: it is forked at the first run
 * and spawns each script on request, with vfork, so a run costs neither a
 * fork of the wrapper nor a copy of its page tables (runjob --drain spent
 * 0.6 ms per partition on the two forks). It reaps the script, so the
 * script's process group cannot be another one while it is signalled: the
 * wrapper asks the guard to signal it. Requests and replies are a struct
 * guard_msg on a stream socket; a RUN carries the argument and environment
 * strings after it and the output descriptors as SCM_RIGHTS.
 */
enum guard_type {
	GUARD_RUN = 1,		/* n: argc; len: bytes of strings after */
	GUARD_KILL,		/* n: the signal for the script's group */
	GUARD_STARTED,		/* n: the script's pid */
	GUARD_NOEXEC,		/* n: errno of the script's exec */
	GUARD_NOSPAWN,		/* n: errno of the guard's vfork */
	GUARD_EXITED		/* n: the script's wait status */
};

#define GUARD_STDOUT	0x1	/* RUN: a descriptor for stdout is attached */
#define GUARD_STDERR	0x2	/* and one for stderr */
#define GUARD_SAME	0x4	/* stdout and stderr are one descriptor */
#define GUARD_MAXLEN	(64U << 20)	/* far above ARG_MAX */

struct guard_msg {
	uint32_t	 type;
	uint32_t	 flags;
	int32_t		 n;
	uint32_t	 len;
};

static struct {
	pid_t	 owner;		/* the process the guard serves */
	pid_t	 pid;
	int	 sock;		/* -1: no guard */
} process_guard = { -1, -1, -1 };

static int64_t	process_now(void);
static int64_t	process_deadline(int64_t, long);
static int	process_fd_high(int);
static int	process_open_log_dir(const char *, char **);
static int	process_check_log_file(int, int, const char *, char **);
static int	process_open_log(const char *, char **);
static int	process_sig_block(struct process_sigsave *);
static void	process_sig_restore(const struct process_sigsave *);
static void	process_tee(int *, const struct proc_spec *);
static int	process_msg_send(int, const struct guard_msg *, const int *,
		    int, const char *, size_t);
static int	process_read_full(int, void *, size_t);
static int	process_msg_recv(int, struct guard_msg *, int *);
static void	process_child(char *const *, char *const *, int, int, pid_t,
		    int) __attribute__((noreturn));
static pid_t	process_spawn(char *const *, char *const *, int, int, int *);
static void	process_sig_defaults(void);
static void	process_guard_signal(pid_t, int);
static pid_t	process_guard_run(int, const struct guard_msg *, int *);
static void	process_guard_main(int, pid_t) __attribute__((noreturn));
static void	process_guard_drop(bool);
static int	process_guard_get(char **);
static void	process_kill(int, int);
static int	process_request(int, const struct proc_spec *, int, int);
static int	process_wait(int, int, int *, const struct proc_spec *, int64_t,
		    struct guard_msg *);
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

/* Open directory dir and check it as process_check_log_dir() says. */
static int
process_open_log_dir(const char *dir, char **errp)
{
	struct stat	 st;
	char		*why;
	int		 dfd;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		process_seterr(errp, "could not open directory", dir, errno);
		return -1;
	}
	if (fstat(dfd, &st) == -1) {
		process_seterr(errp, "could not stat", dir, errno);
		close(dfd);
		return -1;
	}
	if ((why = trust_dir(&st)) != NULL) {
		if (errp != NULL)
			*errp = xasprintf("refusing directory \"%s\": %s (others "
			    "could plant files where the output goes): chmod "
			    "o-w or +t it", dir, why);
		free(why);
		close(dfd);
		return -1;
	}
	return dfd;
}

int
process_check_log_dir(const char *dir, char **errp)
{
	int	 dfd;

	if ((dfd = process_open_log_dir(dir, errp)) == -1)
		return -1;
	close(dfd);
	return 0;
}

/*
 * Check fd, opened from name in its directory dfd, as an existing output
 * file: return 1 to write to it (a character device of ours or root's:
 * /dev/null), 0 once it was removed (a regular file of ours: it may have
 * been read by others, a new one replaces it), or -1 with errno set, or
 * with *why (caller frees) saying why it is refused: a FIFO (it would
 * hold the run, or hand its output to whoever reads it), a socket, or
 * another user's file. Never removes what is not ours.
 */
static int
process_check_log_file(int fd, int dfd, const char *name, char **why)
{
	struct stat	 st;
	bool		 ours;

	if (fstat(fd, &st) == -1)
		return -1;
	ours = st.st_uid == geteuid();
	if (S_ISCHR(st.st_mode) && (ours || st.st_uid == 0))
		return 1;
	if (S_ISREG(st.st_mode) && ours)
		return unlinkat(dfd, name, 0) == -1 ? -1 : 0;
	if (S_ISFIFO(st.st_mode))
		*why = xstrdup("a FIFO is there");
	else if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
		*why = xstrdup("a special file is there");
	else
		*why = xasprintf("a file of uid %lu is there, not yours",
		    (unsigned long)st.st_uid);
	return -1;
}

/*
 * Open the child's output file here, where errors can be reported: in its
 * directory, opened once and checked (process_check_log_dir), by name
 * relative to it. A new file is created 0600 (O_EXCL). What is already
 * there is opened without following a symbolic link (refused) and without
 * blocking (a FIFO with no reader would hold us, and the claim, forever),
 * checked on the descriptor (process_check_log_file) and replaced, written
 * to or refused; O_NONBLOCK is cleared once it is accepted.
 */
static int
process_open_log(const char *path, char **errp)
{
	const char	*name;
	char		*dir, *why = NULL;
	int		 dfd, fd = -1, flags, tries, e, rc;

	name = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	dir = trust_dirname(path);
	dfd = process_open_log_dir(dir, errp != NULL ? &why : NULL);
	free(dir);
	if (dfd == -1) {
		if (errp != NULL)
			*errp = xasprintf("could not create \"%s\": %s", path,
			    why);
		free(why);
		return -1;
	}
	flags = O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | O_NONBLOCK;
	/* A regular file of ours removed, the second try creates anew. */
	for (tries = 0; tries < 2; tries++) {
		if ((fd = openat(dfd, name, flags | O_CREAT | O_EXCL, 0600)) !=
		    -1 || errno != EEXIST)
			break;
		if ((fd = openat(dfd, name, flags)) == -1) {
			if (errno == ENXIO)	/* a FIFO with no reader */
				why = xstrdup("a FIFO or socket is there");
			else if (errno == ELOOP)
				why = xstrdup("a symbolic link is there");
			break;
		}
		if ((rc = process_check_log_file(fd, dfd, name, &why)) == 1)
			break;
		e = errno;
		close(fd);
		fd = -1;
		errno = e;
		if (rc == -1)
			break;
		errno = EEXIST;	/* planted again at once: give up */
	}
	e = errno;
	close(dfd);
	if (fd != -1 && ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1)) {
		e = errno;
		close(fd);
		fd = -1;
	}
	if (fd != -1 && (fd = process_fd_high(fd)) == -1)
		e = errno;
	if (fd == -1 && why != NULL && errp != NULL)
		*errp = xasprintf("could not create \"%s\": %s", path, why);
	else if (fd == -1)
		process_seterr(errp, "could not create", path, e);
	free(why);
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

/* Send m and len bytes of data, with up to two descriptors. */
static int
process_msg_send(int sock, const struct guard_msg *m, const int *fds,
    int nfds, const char *data, size_t len)
{
	union {
		char		 buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr	 align;
	}			 u;
	struct msghdr		 mh;
	struct iovec		 iov[2];
	struct cmsghdr		*cm;
	ssize_t			 n;
	size_t			 left;

	memset(&mh, 0, sizeof(mh));
	iov[0].iov_base = (void *)(uintptr_t)m;
	iov[0].iov_len = sizeof(*m);
	iov[1].iov_base = (void *)(uintptr_t)data;
	iov[1].iov_len = len;
	mh.msg_iov = iov;
	mh.msg_iovlen = len > 0 ? 2 : 1;
	if (nfds > 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	/* MSG_NOSIGNAL: a guard whose wrapper is gone must not die of
	 * SIGPIPE before it has killed the script. */
	while ((n = sendmsg(sock, &mh, MSG_NOSIGNAL)) == -1 && errno == EINTR)
		;
	if (n == -1)
		return -1;
	/* A stream may take part of it: the rest goes without the fds. */
	left = sizeof(*m) + len - (size_t)n;
	while (left > 0) {
		size_t	 off = sizeof(*m) + len - left;

		if (off < sizeof(*m))
			n = send(sock, (const char *)m + off,
			    sizeof(*m) - off, MSG_NOSIGNAL);
		else
			n = send(sock, data + (off - sizeof(*m)), left,
			    MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		left -= (size_t)n;
	}
	return 0;
}

/* Read exactly len bytes; 0 at a clean EOF before any, else -1. */
static int
process_read_full(int sock, void *buf, size_t len)
{
	size_t	 got = 0;
	ssize_t	 n;

	while (got < len) {
		n = read(sock, (char *)buf + got, len - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0 && got == 0)
			return 0;
		if (n <= 0) {
			if (n == 0)
				errno = EPIPE;
			return -1;
		}
		got += (size_t)n;
	}
	return 1;
}

/*
 * Receive a message and up to two descriptors (close-on-exec), which are
 * set in fds (-1 where none came). Return 1, 0 at EOF, or -1.
 */
static int
process_msg_recv(int sock, struct guard_msg *m, int *fds)
{
	union {
		char		 buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr	 align;
	}			 u;
	struct msghdr		 mh;
	struct iovec		 iov;
	struct cmsghdr		*cm;
	ssize_t			 n;
	size_t			 k;

	fds[0] = fds[1] = -1;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = m;
	iov.iov_len = sizeof(*m);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	while ((n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) == -1 &&
	    errno == EINTR)
		;
	if (n <= 0)
		return n == 0 ? 0 : -1;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds, CMSG_DATA(cm), (k > 2 ? 2 : k) * sizeof(int));
	}
	if ((size_t)n < sizeof(*m) && process_read_full(sock, (char *)m + n,
	    sizeof(*m) - (size_t)n) != 1)
		return -1;
	return 1;
}

/*
 * In the script's process, between vfork and exec: it shares the guard's
 * memory and stack, so only system calls. A failure is written to report
 * (close-on-exec: the guard reads EOF once exec succeeded) as an errno.
 */
static void
process_child(char *const *argv, char *const *envp, int outfd, int errfd,
    pid_t guard, int report)
{
	sigset_t	 none;
	ssize_t		 n;
	int		 e, fd;

	/* Dies with the guard, even when the guard is killed itself. */
#ifdef PR_SET_PDEATHSIG
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		goto fail;
	if (getppid() != guard) {
		errno = ESRCH;
		goto fail;
	}
#else
	(void)guard;
#endif
	/* A group of its own: signalled and killed as a whole. */
	if (setpgid(0, 0) == -1)
		goto fail;
	/* The limits it would have had without us. */
	if (harden_child() == -1)
		goto fail;
	if (outfd != -1 && dup2(outfd, STDOUT_FILENO) == -1)
		goto fail;
	if (errfd != -1 && dup2(errfd, STDERR_FILENO) == -1)
		goto fail;
	/* Everything above 2 is close-on-exec in the guard, but be sure. */
#ifdef HAVE_CLOSE_RANGE
	if ((report > STDERR_FILENO + 1 && close_range(STDERR_FILENO + 1,
	    (unsigned)report - 1, 0) == -1) ||
	    close_range((unsigned)report + 1, ~0U, 0) == -1)
#endif
	{
		for (fd = STDERR_FILENO + 1; fd < report; fd++)
			close(fd);
		closefrom(report + 1);
	}
	/* The guard's dispositions are the defaults; unblock everything.
	 * Pending signals are not inherited: nothing fires in between. */
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		goto fail;
	execvpe(argv[0], argv, envp);
fail:
	e = errno != 0 ? errno : EINVAL;
	do
		n = write(report, &e, sizeof(e));
	while (n == -1 && errno == EINTR);
	_exit(PROCESS_EXEC_FAILED);
}

/*
 * Spawn a script from the guard. Return its pid; 0 with *e set when it
 * could not be executed (it is reaped); -1 with *e when vfork failed. The
 * exec's failure comes through a pipe, not the memory vfork shares:
 * valgrind runs vfork as fork.
 */
static pid_t
process_spawn(char *const *argv, char *const *envp, int outfd, int errfd,
    int *e)
{
	pid_t		 pid, self = getpid();
	ssize_t		 n;
	int		 report[2] = { -1, -1 }, err = 0;

	if (pipe2(report, O_CLOEXEC) == -1 ||
	    (report[0] = process_fd_high(report[0])) == -1 ||
	    (report[1] = process_fd_high(report[1])) == -1) {
		*e = errno;
		if (report[0] > -1)
			close(report[0]);
		if (report[1] > -1)
			close(report[1]);
		return -1;
	}
	/*
	 * Not posix_spawn: it cannot set PR_SET_PDEATHSIG. The child makes
	 * only system calls before it execs or _exits.
	 */
	/* NOLINTNEXTLINE(clang-analyzer-security.insecureAPI.vfork) */
	if ((pid = vfork()) == 0)
		/* NOLINTNEXTLINE(clang-analyzer-unix.Vfork) */
		process_child(argv, envp, outfd, errfd, self, report[1]);
	*e = errno;
	close(report[1]);
	if (pid == -1) {
		close(report[0]);
		return -1;
	}
	do
		n = read(report[0], &err, sizeof(err));
	while (n == -1 && errno == EINTR);
	close(report[0]);
	if (n == (ssize_t)sizeof(err)) {
		(void)spawn_wait(pid, NULL);
		*e = err;
		return 0;
	}
	return pid;
}

/*
 * In the guard: reset every signal to its default (what scripts inherit),
 * past libc for the two it keeps for threads: one ignored by an ancestor
 * would survive exec. An all-zero kernel sigaction is SIG_DFL whatever its
 * layout.
 */
static void
process_sig_defaults(void)
{
	struct sigaction	 sa;
	int			 sig;
#ifdef SYS_rt_sigaction
	static const unsigned long	 zero[16];
#endif

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sigaction(sig, &sa, NULL) == 0 || errno != EINVAL)
			continue;
#ifdef SYS_rt_sigaction
		syscall(SYS_rt_sigaction, sig, zero, NULL, (NSIG - 1) / 8);
#endif
	}
}

/* In the guard: signal the script's group (its pid while unreaped). */
static void
process_guard_signal(pid_t pid, int sig)
{
	if (pid <= 0)
		return;
	if (kill(-pid, sig) == -1 && errno == ESRCH)
		kill(pid, sig);
}

/*
 * In the guard: run what a RUN message asks for, reply STARTED, NOEXEC or
 * NOSPAWN. The strings may hold secrets: wiped once the script has them.
 */
static pid_t
process_guard_run(int sock, const struct guard_msg *m, int *fds)
{
	struct guard_msg	 r;
	char			*buf = NULL, **argv = NULL, **envp = NULL;
	char			*p, *end;
	size_t			 nstr = 0, k;
	pid_t			 pid = -1;
	int			 outfd = -1, errfd = -1, e = EINVAL, f = 0;

	if ((m->flags & GUARD_STDOUT) != 0)
		outfd = fds[f++];
	if ((m->flags & GUARD_STDERR) != 0)
		errfd = (m->flags & GUARD_SAME) != 0 ? outfd : fds[f++];
	if (m->len == 0 || m->len > GUARD_MAXLEN || m->n < 1 ||
	    (buf = malloc(m->len)) == NULL)
		goto reply;
	if (process_read_full(sock, buf, m->len) != 1 ||
	    buf[m->len - 1] != '\0') {
		explicit_bzero(buf, m->len);
		free(buf);
		_exit(PROCESS_EXEC_FAILED);	/* the wrapper is gone */
	}
	for (p = buf, end = buf + m->len; p < end; p += strlen(p) + 1)
		nstr++;
	if ((size_t)m->n > nstr ||
	    (argv = calloc((size_t)m->n + 1, sizeof(*argv))) == NULL ||
	    (envp = calloc(nstr - (size_t)m->n + 1, sizeof(*envp))) == NULL)
		goto reply;
	for (p = buf, k = 0; p < end; p += strlen(p) + 1, k++) {
		if (k < (size_t)m->n)
			argv[k] = p;
		else
			envp[k - (size_t)m->n] = p;
	}
	pid = process_spawn(argv, envp, outfd, errfd, &e);
reply:
	memset(&r, 0, sizeof(r));
	r.type = pid > 0 ? GUARD_STARTED : pid == 0 ? GUARD_NOEXEC :
	    GUARD_NOSPAWN;
	r.n = pid > 0 ? (int32_t)pid : e;
	if (buf != NULL) {
		explicit_bzero(buf, m->len);
		free(buf);
	}
	free(argv);
	free(envp);
	if (fds[0] != -1)
		close(fds[0]);
	if (fds[1] != -1)
		close(fds[1]);
	fds[0] = fds[1] = -1;
	if (process_msg_send(sock, &r, NULL, 0, NULL, 0) == -1) {
		process_guard_signal(pid, SIGKILL);
		_exit(PROCESS_EXEC_FAILED);
	}
	return pid > 0 ? pid : -1;
}

/*
 * The guard's life: serve runs until the wrapper goes away, then kill what
 * it runs. Its own process group, so that a signal to the wrapper's group
 * (kill -9 of a whole job, Ctrl-C) reaches it only through the wrapper.
 */
static void __attribute__((noreturn))
process_guard_main(int sock, pid_t parent)
{
	struct signalfd_siginfo	 si;
	struct guard_msg	 m, r;
	struct pollfd		 pfd[2];
	siginfo_t		 info;
	sigset_t		 set;
	pid_t			 script = -1;
	int			 sfd, status, fds[2];

	setpgid(0, 0);
	sigfillset(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	process_sig_defaults();
#ifdef PR_SET_PDEATHSIG
	if (prctl(PR_SET_PDEATHSIG, SIGRTMIN) == -1 || getppid() != parent)
		_exit(PROCESS_EXEC_FAILED);
#else
	(void)parent;
#endif
	/* Nothing of the wrapper's: its database connection, its files. */
	if (sock != STDERR_FILENO + 1) {
		if (dup3(sock, STDERR_FILENO + 1, O_CLOEXEC) == -1)
			_exit(PROCESS_EXEC_FAILED);
		sock = STDERR_FILENO + 1;
	}
#ifdef HAVE_CLOSE_RANGE
	if (close_range(sock + 1, ~0U, 0) == -1)
#endif
		closefrom(sock + 1);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGRTMIN);
	if ((sfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1)
		_exit(PROCESS_EXEC_FAILED);

	pfd[0].fd = sock;
	pfd[0].events = POLLIN;
	pfd[1].fd = sfd;
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) == -1)
			continue;
		if ((pfd[1].revents & POLLIN) != 0 &&
		    read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si) &&
		    si.ssi_signo == (uint32_t)SIGRTMIN)
			break;		/* the wrapper is gone */
		if (script > 0) {
			/* WNOWAIT: the zombie keeps its group ours while
			 * the stragglers in it are killed. */
			memset(&info, 0, sizeof(info));
			if (waitid(P_PID, script, &info,
			    WEXITED | WNOHANG | WNOWAIT) == 0 &&
			    info.si_pid == script) {
				process_guard_signal(script, SIGKILL);
				(void)spawn_wait(script, &status);
				script = -1;
				memset(&r, 0, sizeof(r));
				r.type = GUARD_EXITED;
				r.n = status;
				if (process_msg_send(sock, &r, NULL, 0, NULL,
				    0) == -1)
					_exit(0);
			}
		}
		if (pfd[0].revents == 0)
			continue;
		if (process_msg_recv(sock, &m, fds) != 1)
			break;		/* EOF: the wrapper is gone */
		if (m.type == GUARD_RUN && script > 0)
			break;		/* out of step: its strings would be
					   read as requests */
		if (m.type == GUARD_RUN)
			script = process_guard_run(sock, &m, fds);
		else {
			if (m.type == GUARD_KILL && m.n > 0 && m.n < NSIG)
				process_guard_signal(script, m.n);
			if (fds[0] != -1)
				close(fds[0]);
			if (fds[1] != -1)
				close(fds[1]);
		}
	}
	/* What the wrapper ran dies with it. */
	process_guard_signal(script, SIGKILL);
	_exit(0);
}

/* Forget the guard (it died, or it is our parent's): the next run forks. */
static void
process_guard_drop(bool reap)
{
	if (process_guard.sock != -1)
		close(process_guard.sock);
	if (reap && process_guard.pid > 0)
		(void)spawn_wait(process_guard.pid, NULL);
	process_guard.sock = -1;
	process_guard.pid = -1;
	process_guard.owner = -1;
}

/* Return the socket of our guard, forking it first if need be; or -1. */
static int
process_guard_get(char **errp)
{
	pid_t	 pid, self = getpid();
	int	 sv[2];

	/* A guard inherited across fork serves the parent, not us. */
	if (process_guard.sock != -1 && process_guard.owner != self)
		process_guard_drop(false);
	if (process_guard.sock != -1)
		return process_guard.sock;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1 ||
	    (sv[0] = process_fd_high(sv[0])) == -1 ||
	    (sv[1] = process_fd_high(sv[1])) == -1) {
		process_seterr(errp, "could not create a socket", NULL, errno);
		return -1;
	}
	if ((pid = fork()) == -1) {
		process_seterr(errp, "could not fork", NULL, errno);
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		process_guard_main(sv[1], self);
	}
	close(sv[1]);
	process_guard.owner = self;
	process_guard.pid = pid;
	process_guard.sock = sv[0];
	return sv[0];
}

int
process_start_guard(char **errp)
{
	return process_guard_get(errp) == -1 ? -1 : 0;
}

/* Ask the guard to signal the script's group. */
static void
process_kill(int sock, int sig)
{
	struct guard_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = GUARD_KILL;
	m.n = sig;
	process_msg_send(sock, &m, NULL, 0, NULL, 0);
}

/*
 * Send the guard a RUN for spec with its output descriptors. The strings
 * (the environment holds the datasets' passwords) are wiped once sent.
 */
static int
process_request(int sock, const struct proc_spec *spec, int outfd,
    int errfd)
{
	struct guard_msg	 m;
	char *const		*envp = spec->envp != NULL ? spec->envp : environ;
	char			*buf, *p;
	size_t			 len = 0, k, n;
	int			 fds[2], nfds = 0, rc, saved;

	for (k = 0; spec->argv[k] != NULL; k++)
		len += strlen(spec->argv[k]) + 1;
	for (n = 0; envp[n] != NULL; n++)
		len += strlen(envp[n]) + 1;
	if (len > GUARD_MAXLEN) {
		errno = E2BIG;
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.type = GUARD_RUN;
	m.n = (int32_t)k;
	m.len = (uint32_t)len;
	if (outfd != -1) {
		m.flags |= GUARD_STDOUT;
		fds[nfds++] = outfd;
	}
	if (errfd != -1) {
		m.flags |= GUARD_STDERR;
		if (errfd == outfd)
			m.flags |= GUARD_SAME;
		else
			fds[nfds++] = errfd;
	}
	p = buf = xmalloc(len);
	for (k = 0; spec->argv[k] != NULL; k++)
		p = stpcpy(p, spec->argv[k]) + 1;
	for (k = 0; k < n; k++)
		p = stpcpy(p, envp[k]) + 1;
	rc = process_msg_send(sock, &m, fds, nfds, buf, len);
	saved = errno;
	explicit_bzero(buf, len);
	free(buf);
	errno = saved;
	return rc;
}

/*
 * Wait for one of the blocked signals (read from sfd: return its number),
 * the deadline (return 0), output on the stderr pipe *teefd (passed on;
 * return 0) or a message from the guard (read into *m: return -2).
 * Return -1 on error, -3 when the guard is gone.
 */
static int
process_wait(int sfd, int sock, int *teefd, const struct proc_spec *spec,
    int64_t deadline, struct guard_msg *m)
{
	struct signalfd_siginfo	 si;
	struct pollfd		 pfd[3];
	int64_t			 left;
	nfds_t			 n = 2;
	int			 timeout = -1, rc, fds[2];

	pfd[0].fd = sfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = sock;
	pfd[1].events = POLLIN;
	if (*teefd != -1) {
		pfd[2].fd = *teefd;
		pfd[2].events = POLLIN;
		n = 3;
	}
	if (deadline != PROCESS_NEVER) {
		left = deadline - process_now();
		/* Round up: waking early would spin. */
		timeout = left <= 0 ? 0 : (int)((left + PROCESS_NS_PER_MS - 1) /
		    PROCESS_NS_PER_MS);
	}
	if ((rc = poll(pfd, n, timeout)) <= 0)
		return rc == 0 || errno == EINTR ? 0 : -1;
	/* Output first: the script's last words come before its exit. */
	if (n == 3 && pfd[2].revents != 0)
		process_tee(teefd, spec);
	if (pfd[1].revents != 0) {
		if (process_msg_recv(sock, m, fds) != 1)
			return -3;
		if (fds[0] != -1)
			close(fds[0]);
		if (fds[1] != -1)
			close(fds[1]);
		return -2;
	}
	if ((pfd[0].revents & POLLIN) != 0 &&
	    read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		return (int)si.ssi_signo;
	return 0;
}

int
process_run(const struct proc_spec *spec, struct proc_result *res,
    char **errp)
{
	struct process_sigsave	 ss;
	struct guard_msg	 m;
	int64_t			 start, now, t_timeout, t_tick, t_kill, next;
	int			 ticked;
	long			 grace;
	bool			 blocked = false, stopping = false;
	int			 outfd = -1, errfd = -1;
	int			 teep[2] = { -1, -1 }, sfd = -1, sock;
	int			 fds[2], status = 0, sig, e, tries, ret = -1;

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

	/* A guard that died since the last run is replaced, once: the
	 * request did not reach it, so nothing was started. */
	for (tries = 0;; tries++) {
		if ((sock = process_guard_get(errp)) == -1)
			goto out;
		start = process_now();
		if (process_request(sock, spec, outfd, errfd) == 0)
			break;
		e = errno;
		process_guard_drop(true);
		if (tries > 0) {
			process_seterr(errp, "could not reach the guard "
			    "process", NULL, e);
			goto out;
		}
	}
	if (process_msg_recv(sock, &m, fds) != 1) {
		/* It died with the request: so did what it started. */
		process_seterr(errp, "the guard process died", NULL, EPIPE);
		process_guard_drop(true);
		goto out;
	}
	/* The guard holds them now: ours would keep the pipe open. */
	if (errfd != outfd && errfd != -1)
		close(errfd);
	if (outfd != -1)
		close(outfd);
	outfd = errfd = -1;
	if (m.type == GUARD_NOEXEC) {
		res->exec_failed = true;
		res->exec_errno = m.n;
		res->exited = true;
		res->exit_code = PROCESS_EXEC_FAILED;
		goto done;
	}
	if (m.type != GUARD_STARTED) {
		process_seterr(errp, "could not fork", NULL,
		    m.type == GUARD_NOSPAWN ? m.n : EPROTO);
		goto out;
	}

	grace = spec->grace_ms > 0 ? spec->grace_ms : PROCESS_GRACE_MS;
	t_timeout = process_deadline(start, spec->timeout_ms);
	t_tick = spec->tick != NULL ? process_deadline(start, spec->tick_ms) :
	    PROCESS_NEVER;
	t_kill = PROCESS_NEVER;

	for (;;) {
		now = process_now();
		if (!stopping && now >= t_timeout) {
			res->timed_out = true;
			process_kill(sock, SIGTERM);
			stopping = true;
			t_kill = process_deadline(now, grace);
		}
		if (now >= t_kill) {
			process_kill(sock, SIGKILL);
			t_kill = PROCESS_NEVER;
		}
		if (now >= t_tick && spec->tick != NULL) {
			/* Going on through the grace period: it still runs. */
			if ((ticked = spec->tick(spec->arg)) == -1) {
				res->stopped_by_tick = true;
				t_tick = PROCESS_NEVER;
				/* A lost lease may allow less than the
				 * grace period: the kill comes sooner. */
				if (!stopping || (spec->tick_grace_ms > 0 &&
				    spec->tick_grace_ms < grace)) {
					if (!stopping)
						process_kill(sock, SIGTERM);
					stopping = true;
					t_kill = process_deadline(process_now(),
					    spec->tick_grace_ms > 0 ?
					    spec->tick_grace_ms : grace);
				}
			} else if (ticked > 0) {
				/* It asked to be called again sooner. */
				t_tick = process_deadline(process_now(),
				    ticked < spec->tick_ms ? ticked :
				    spec->tick_ms);
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
		sig = process_wait(sfd, sock, &teep[0], spec, next, &m);
		if (sig == -2 && m.type == GUARD_EXITED) {
			status = m.n;
			break;
		}
		if (sig == -3) {
			/* Killed: the script died with it (PDEATHSIG). */
			res->guard_died = true;
			process_seterr(errp, "the guard process died", NULL,
			    EPIPE);
			process_guard_drop(true);
			goto out;
		}
		if (sig <= 0 || sig == SIGCHLD)
			continue;

		/* A worker's first stop signal: the script finishes. */
		if (spec->hold_first_stop && res->held_signo == 0) {
			res->held_signo = sig;
			continue;
		}
		/* SIGINT, SIGTERM or SIGHUP: pass it on, each time. */
		if (res->cancel_signo == 0)
			res->cancel_signo = sig;
		process_kill(sock, sig);
		if (!stopping) {
			stopping = true;
			t_kill = process_deadline(process_now(), grace);
		}
	}

	/* The group is dead: what is left in the pipe is all there is. */
	if (teep[0] != -1)
		process_tee(&teep[0], spec);
	if (WIFEXITED(status)) {
		res->exited = true;
		res->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status))
		res->signo = WTERMSIG(status);
done:
	res->elapsed = (double)(process_now() - start) / PROCESS_NS_PER_S;
	ret = 0;

out:
	if (blocked)
		process_sig_restore(&ss);
	if (errfd != -1 && errfd != outfd)
		close(errfd);
	if (outfd != -1)
		close(outfd);
	if (sfd != -1)
		close(sfd);
	if (teep[0] != -1)
		close(teep[0]);
	if (teep[1] != -1)
		close(teep[1]);
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

long
process_restart_backoff(long prev_ms, double lived_secs)
{
	/* A crash loop backs off; one death after a long life does not
	 * inherit the waits of a crash loop long past. */
	if (prev_ms <= 0 || lived_secs >= PROCESS_RESTART_HEALTHY_SECS)
		return PROCESS_RESTART_FIRST_MS;
	if (prev_ms >= PROCESS_RESTART_MAX_MS / 2)
		return PROCESS_RESTART_MAX_MS;
	return prev_ms * 2;
}

int
process_follow_parent(pid_t parent, int sig)
{
#ifdef PR_SET_PDEATHSIG
	if (prctl(PR_SET_PDEATHSIG, sig) == -1)
		return 0;	/* as elsewhere: nothing to ask for */
#else
	(void)sig;
#endif
	return getppid() == parent ? 0 : -1;
}
