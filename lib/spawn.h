/* spawn.h: run a program and wait for it: fork, its standard descriptors,
 * exec without a shell, and a wait that a signal does not cut short. */
#ifndef DF_SPAWN_H
#define DF_SPAWN_H

#include <sys/types.h>

#include <stdbool.h>

#define SPAWN_NULL	(-2)	/* a standard descriptor on /dev/null */

/* What to run, and how. */
struct spawn {
	const char *const *argv;	/* argv[0] an absolute path; no shell */
	/* Its standard input, output and error: a descriptor of ours (it
	 * may be close-on-exec), SPAWN_NULL, or -1 to share ours. */
	int	 fd[3];
	/* In the child, before the exec (NULL: nothing): return 0, or -1
	 * with errno and *why saying what failed. */
	int	(*setup)(void *arg, const char **why);
	void	*arg;
	bool	 say;	/* the child says why it failed on its stderr */
};

/*
 * Start sp->argv[0] with sp->argv: a child with no signal blocked, SIGPIPE
 * at its default, the standard descriptors of sp->fd, sp->setup run and
 * the limits harden_process lowered given back; one that cannot get that
 * far exits 127. Return its pid, or -1 with *errp (caller frees) when
 * there could be no child.
 */
pid_t	 spawn_start(const struct spawn *sp, char **errp);
/*
 * Wait for child pid, retrying when a signal interrupts the wait; store
 * its wait status in *wstatus unless NULL. Return 0, or -1 with errno.
 */
int	 spawn_wait(pid_t pid, int *wstatus);

#endif
