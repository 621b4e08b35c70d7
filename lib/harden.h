/* harden.h: keep the secrets a process holds out of core dumps and out of
 * the reach of other processes of the same user. */
#ifndef DF_HARDEN_H
#define DF_HARDEN_H

/*
 * Make this process non-dumpable: no core dump, and its /proc/PID/mem,
 * environ and ptrace closed to other processes of the same user (root
 * aside); fork keeps that, execve of a program undoes it. Also lower the
 * core size soft limit to 0, remembering the one found for harden_child.
 * Return 0, or -1 with *errp (caller frees).
 */
int	harden_process(char **errp);

/*
 * In a child between fork (or vfork) and exec: give back the core size
 * limit harden_process found, so that the program run (a job, a notify
 * command, pg_ctl, dot) gets the limits it would have had. Only system
 * calls: safe after vfork. Return 0 (also when harden_process was not
 * called), or -1 with errno.
 */
int	harden_child(void);

#endif
