/* process.h: run a job's script: spawn it, forward signals, time it out. */
#ifndef DF_PROCESS_H
#define DF_PROCESS_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

struct proc_spec {
	char *const	*argv;		/* argv[0] found as execvp, no shell */
	char *const	*envp;		/* the complete one; NULL: ours */
	const char	*stdout_path;	/* NULL: inherit; else created 0600 (an
					   old file of ours replaced; a FIFO,
					   a link, others' files refused) */
	const char	*stderr_path;	/* likewise */
	long		 timeout_ms;	/* 0: no timeout */
	long		 grace_ms;	/* SIGTERM to SIGKILL; 0: 10 s */
	long		 tick_ms;	/* call tick this often; 0: never */
	long		 tick_grace_ms;	/* SIGTERM to SIGKILL when tick stops
					   the child; 0: grace_ms */
	/* Called every tick_ms while the child runs (lease renewal). Return
	 * 0 to go on, N > 0 to be called again in N ms instead (sooner: a
	 * renewal that failed is retried until the database is back), -1 to
	 * stop the child (the run lost its claim). */
	int		(*tick)(void *arg);
	void		*arg;
	/* When set and stderr_path is NULL, the child's stderr is a pipe and
	 * what it writes is handed to this callback as it comes (runjob
	 * copies it to its own stderr and keeps the tail). */
	void		(*stderr_cb)(void *arg, const char *buf, size_t n);
	void		*stderr_arg;
	/* When set, the first SIGINT/SIGTERM/SIGHUP is only noted in
	 * held_signo and the child runs on; the next one is forwarded (a
	 * worker's graceful stop: let the script finish, claim no more). */
	bool		 hold_first_stop;
};

struct proc_result {
	bool	 exited;	/* it called exit: see exit_code */
	int	 exit_code;
	int	 signo;		/* the signal that killed it, or 0 */
	bool	 timed_out;	/* we stopped it at timeout_ms */
	int	 cancel_signo;	/* SIGINT/SIGTERM/SIGHUP we received and
				   forwarded, or 0 */
	int	 held_signo;	/* with hold_first_stop: the one we kept
				   from the child, or 0 */
	bool	 stopped_by_tick; /* tick returned -1 and we stopped it */
	bool	 guard_died;	/* (with -1) the guard was killed under a
				   running child, which died with it */
	bool	 exec_failed;	/* it could not be executed at all */
	int	 exec_errno;	/* why, when exec_failed */
	double	 elapsed;	/* seconds from spawn to reaping */
};

/*
 * Run spec->argv with spec->envp and wait for it. The child is spawned by
 * a guard process, forked at the first call and kept for the next ones: a
 * child of ours in a process group of its own, gone when we are. The child
 * leads a process group of its own, which the guard kills when we die,
 * inherits no descriptor but 0-2 (and the two log files), and has default
 * signal dispositions and an empty signal mask. While it runs, SIGINT,
 * SIGTERM and SIGHUP sent to us are forwarded to its process group (and it
 * is killed if it has not exited grace_ms later); at timeout_ms it gets
 * SIGTERM, then SIGKILL after grace_ms. Return 0 with *res filled once the
 * child is reaped, or -1 with *errp (caller frees) if it could not be
 * started at all (fork failure, log file not creatable) or the guard was
 * killed under it (the child dies with the guard).
 *
 * argv[0] is searched in our own $PATH, as execvpe does, not envp's. A
 * child that could not be executed is reported with exec_failed, exited and
 * exit_code 127 (return 0). Once the child has exited, what is left of its
 * process group is killed. A signal we ignore (nohup) is not forwarded; one
 * that arrives after the child was reaped stays pending for the caller's
 * own handler. Ticks go on during the grace period (the script still runs)
 * unless tick itself returned -1. Call it from a single thread: the signals
 * are blocked and waited for in the calling thread only.
 */
int	process_run(const struct proc_spec *spec, struct proc_result *res,
	    char **errp);

/*
 * Fork the guard now if it is not running; return 0, or -1 with *errp
 * (caller frees; errp may be NULL). process_run does it when need be, but
 * the guard is a copy of our memory as it is then: call this before
 * decrypting what the script gets, and the guard holds none of it.
 */
int	process_start_guard(char **errp);

/*
 * Return 0 when dir can hold output files (stdout_path, stderr_path): it
 * can be opened, and others cannot write it, or it is sticky (then a file
 * another user plants there is refused as not ours). Else -1 with *errp
 * (caller frees; errp may be NULL). process_run checks each file's
 * directory so too; call this first to refuse before any work is done.
 */
int	process_check_log_dir(const char *dir, char **errp);

/*
 * Return the path that execvp would run for prog (searching $PATH when it
 * has no '/'), caller frees; or NULL with errno ENOENT or EACCES.
 */
char	*process_which(const char *prog);

/* A supervised process that died starts again after a backoff (ms)... */
#define PROCESS_RESTART_FIRST_MS	1000
#define PROCESS_RESTART_MAX_MS		60000
/* ...that starts over once it ran this long (s): it was healthy then. */
#define PROCESS_RESTART_HEALTHY_SECS	60

/*
 * Return the wait in ms before restarting a supervised process that ended
 * after running lived_secs, its wait before this start having been prev_ms
 * (0: it never waited): PROCESS_RESTART_FIRST_MS after its first end or
 * after a healthy life (at least PROCESS_RESTART_HEALTHY_SECS), else
 * prev_ms doubled, at most PROCESS_RESTART_MAX_MS.
 */
long	process_restart_backoff(long prev_ms, double lived_secs);

/*
 * In a supervised child just forked from parent: have sig sent to us when
 * the parent dies (Linux; elsewhere nothing). Return 0, or -1 when the
 * parent is already gone (sig was not sent: act as if it had been).
 */
int	process_follow_parent(pid_t parent, int sig);

#endif
