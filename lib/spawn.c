/* spawn.c: run a program and wait for it. The guard's script has needs of
 * its own (process.c); "dataflow local"'s PostgreSQL binaries and
 * "dataflow graph"'s dot start here. */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harden.h"
#include "spawn.h"
#include "xmalloc.h"

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
