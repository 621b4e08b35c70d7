/* spawn.c: run a program and wait for it. The guard's script has needs of
 * its own (process.c); "dataflow local"'s PostgreSQL binaries and
 * "dataflow graph"'s dot start here. */
#include <sys/types.h>
#include <sys/wait.h>

#include <poll.h>
#include <time.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harden.h"
#include "spawn.h"
#include "strbuf.h"
#include "xmalloc.h"

#define SPAWN_ERRTAIL	512	/* bytes of a filter's stderr kept */

/* In the child: its standard descriptors. Return 0, or -1 with errno. */
static int
spawn_fds(const int fd[3])
{
	int	 i, null = -1, from;

	for (i = 0; i < 3; i++) {
		if (fd[i] == SPAWN_NULL && null == -1 &&
		    (null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
			return -1;
	}
	for (i = 0; i < 3; i++) {
		from = fd[i] == SPAWN_NULL ? null : fd[i];
		/* dup2 clears close-on-exec on the copy. */
		if (from != -1 && from != i && dup2(from, i) == -1)
			return -1;
	}
	return 0;
}

/* In the child: become what sp asks for and exec; never returns. */
static void
spawn_child(const struct spawn *sp, char *const *args)
{
	sigset_t	 none;
	const char	*why;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	why = "could not open /dev/null";
	if (spawn_fds(sp->fd) == -1)
		goto fail;
	if (sp->setup != NULL && sp->setup(sp->arg, &why) == -1)
		goto fail;
	why = "could not reset the core size limit";
	if (harden_child() == -1)
		goto fail;
	execv(args[0], args);
	why = "could not execute";
fail:
	if (sp->say)
		dprintf(STDERR_FILENO, "%s: %s: %s\n", args[0], why,
		    strerror(errno));
	_exit(127);
}

pid_t
spawn_start(const struct spawn *sp, char **errp)
{
	char	**args;
	size_t	 i, argc;
	pid_t	 pid;

	/* execv's argv is not const; the child may not allocate. */
	for (argc = 0; sp->argv[argc] != NULL; argc++)
		;
	args = xcalloc(argc + 1, sizeof(*args));
	for (i = 0; i < argc; i++)
		args[i] = xstrdup(sp->argv[i]);
	if ((pid = fork()) == 0)
		spawn_child(sp, args);
	if (pid == -1)
		*errp = xasprintf("could not run %s: fork: %s", sp->argv[0],
		    strerror(errno));
	for (i = 0; i < argc; i++)
		free(args[i]);
	free(args);
	return pid;
}

int
spawn_wait(pid_t pid, int *wstatus)
{
	int	 st;

	while (waitpid(pid, &st, 0) == -1) {
		if (errno != EINTR)
			return -1;
	}
	if (wstatus != NULL)
		*wstatus = st;
	return 0;
}

/* A filter's pipes, ours ends: its input, output and error. */
struct spawn_pipes {
	int		 fd[3];
	const char	*input;
	size_t		 left;		/* of input, still to write */
	struct strbuf	 out, err;
	size_t		 max;
};

static long
spawn_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
spawn_close(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

/* Write what the child reads now. Return 0, or -1 with errno. */
static int
spawn_feed(struct spawn_pipes *p)
{
	ssize_t	 n;

	n = write(p->fd[0], p->input, p->left);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n == -1 && errno == EPIPE) {
		/* It stopped reading: its exit status says why. */
		p->left = 0;
	} else if (n == -1)
		return -1;
	else {
		p->input += n;
		p->left -= (size_t)n;
	}
	if (p->left == 0)
		spawn_close(&p->fd[0]);
	return 0;
}

/* Read what the child wrote on fd i into sb. Return 0, or -1 with errno
 * (EFBIG: more than p->max bytes). */
static int
spawn_drain(struct spawn_pipes *p, int i, struct strbuf *sb)
{
	char	 buf[8192];
	ssize_t	 n;

	n = read(p->fd[i], buf, sizeof(buf));
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n == -1)
		return -1;
	if (n == 0) {
		spawn_close(&p->fd[i]);
		return 0;
	}
	if (i == 1 && sb->len + (size_t)n > p->max) {
		errno = EFBIG;
		return -1;
	}
	strbuf_addn(sb, buf, (size_t)n);
	/* Of its error, the end: the message that says why. */
	if (i == 2 && sb->len > SPAWN_ERRTAIL) {
		memmove(sb->buf, sb->buf + sb->len - SPAWN_ERRTAIL / 2,
		    SPAWN_ERRTAIL / 2 + 1);
		sb->len = SPAWN_ERRTAIL / 2;
	}
	return 0;
}

/*
 * Feed and drain the child until it closed its output and error. Return
 * 0, or -1 with errno (ETIMEDOUT at deadline, a deadline of 0 being none).
 */
static int
spawn_pump(struct spawn_pipes *p, long deadline)
{
	struct pollfd	 pfd[3];
	int		 i, n, wait;

	while (p->fd[1] != -1 || p->fd[2] != -1) {
		wait = -1;
		if (deadline != 0 && (wait = (int)(deadline -
		    spawn_now_ms())) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		for (i = 0; i < 3; i++) {
			pfd[i].fd = p->fd[i];
			pfd[i].events = i == 0 ? POLLOUT : POLLIN;
			pfd[i].revents = 0;
		}
		if ((n = poll(pfd, 3, wait)) == -1 && errno != EINTR)
			return -1;
		if (n <= 0)
			continue;
		if (pfd[0].revents != 0 && spawn_feed(p) == -1)
			return -1;
		for (i = 1; i < 3; i++)
			if (pfd[i].revents != 0 && spawn_drain(p, i,
			    i == 1 ? &p->out : &p->err) == -1)
				return -1;
	}
	return 0;
}

/* The last non-empty line of s, or NULL; caller frees. */
static char *
spawn_last_line(struct strbuf *sb)
{
	char	*s, *nl;

	if (sb->buf == NULL)
		return NULL;
	s = sb->buf;
	while (sb->len > 0 && (s[sb->len - 1] == '\n' ||
	    s[sb->len - 1] == '\r'))
		s[--sb->len] = '\0';
	if (sb->len == 0)
		return NULL;
	if ((nl = strrchr(s, '\n')) != NULL)
		s = nl + 1;
	return xstrdup(s);
}

/* Make the pipes: ours ends in p->fd, the child's in child. */
static int
spawn_pipes_open(struct spawn_pipes *p, int child[3])
{
	int	 pp[2], i;

	for (i = 0; i < 3; i++)
		p->fd[i] = child[i] = -1;
	for (i = 0; i < 3; i++) {
		if (pipe2(pp, O_CLOEXEC) == -1)
			return -1;
		p->fd[i] = pp[i == 0 ? 1 : 0];
		child[i] = pp[i == 0 ? 0 : 1];
		if (fcntl(p->fd[i], F_SETFL, O_NONBLOCK) == -1)
			return -1;
	}
	return 0;
}

int
spawn_filter(const char *const *argv, const char *input, long timeout_ms,
    size_t max, struct spawn_output *o, char **errp)
{
	struct spawn_pipes	 p;
	struct spawn		 sp;
	long			 deadline;
	pid_t			 pid = -1;
	int			 child[3], i, rc = -1, saved;

	memset(o, 0, sizeof(*o));
	memset(&p, 0, sizeof(p));
	p.input = input;
	p.left = strlen(input);
	p.max = max;
	deadline = timeout_ms > 0 ? spawn_now_ms() + timeout_ms : 0;
	if (spawn_pipes_open(&p, child) == -1) {
		*errp = xasprintf("could not run %s: pipe: %s", argv[0],
		    strerror(errno));
		goto out;
	}
	memset(&sp, 0, sizeof(sp));
	sp.argv = argv;
	memcpy(sp.fd, child, sizeof(sp.fd));
	sp.say = true;
	pid = spawn_start(&sp, errp);
	for (i = 0; i < 3; i++)
		spawn_close(&child[i]);
	if (pid == -1)
		goto out;
	if (p.left == 0)
		spawn_close(&p.fd[0]);
	if (spawn_pump(&p, deadline) == -1) {
		saved = errno;
		kill(pid, SIGKILL);
		*errp = saved == ETIMEDOUT ? xasprintf("%s did not finish "
		    "in %ld ms", argv[0], timeout_ms) : saved == EFBIG ?
		    xasprintf("%s wrote more than %zu bytes", argv[0], max) :
		    xasprintf("could not run %s: %s", argv[0],
		    strerror(saved));
	} else
		rc = 0;
	if (spawn_wait(pid, &o->wstatus) == -1 && rc == 0) {
		*errp = xasprintf("could not wait for %s: %s", argv[0],
		    strerror(errno));
		rc = -1;
	}
	if (rc == 0) {
		o->len = p.out.len;
		o->out = strbuf_detach(&p.out);
		o->err = spawn_last_line(&p.err);
	}
out:
	for (i = 0; i < 3; i++) {
		spawn_close(&p.fd[i]);
		spawn_close(&child[i]);
	}
	strbuf_free(&p.out);
	strbuf_free(&p.err);
	return rc;
}
