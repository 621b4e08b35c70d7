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

/* What spawn_filter collects of a child. */
struct spawn_output {
	char	*out;		/* its standard output, NUL-terminated */
	size_t	 len;		/* without the NUL */
	char	*err;		/* the last line of its standard error, or
				   NULL */
	int	 wstatus;	/* its wait status */
};

/*
 * Run argv (argv[0] an absolute path, no shell) as a filter: input on its
 * standard input, its output and error collected through pipes, no other
 * descriptor of ours inherited (ours are close-on-exec). A child that runs
 * past timeout_ms (0: no limit) or writes more than max bytes is killed.
 * Return 0 with *o filled once the child is reaped (caller frees o->out
 * and o->err, also when its exit status says it failed), or -1 with *errp
 * (caller frees) when it could not run, timed out or wrote too much: then
 * nothing is left to free in *o and no child is left. The caller ignores
 * SIGPIPE (a child that stops reading makes our write fail with EPIPE).
 * Safe to call from several threads.
 */
int	 spawn_filter(const char *const *argv, const char *input,
	    long timeout_ms, size_t max, struct spawn_output *o,
	    char **errp);

#endif
