/* run.h: one claimed run, from starting the script to its recorded end,
 * and the exit-code contract (SPEC §3, runjob(1) EXIT STATUS): the run
 * lifecycle every runner shares (runjob, long-lived workers). */
#ifndef DF_RUN_H
#define DF_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "finish.h"
#include "process.h"
#include "report.h"

struct cfg_kv;
struct claim;
struct db;
struct db_error;
struct run_end;
struct secrets;
struct settings;

#define RUN_GRACE_MS		10000	/* SIGTERM to SIGKILL */
#define RUN_RENEW_RETRY_MS	1000	/* a failed renewal is retried */
#define RUN_NOTIFY_MS		60000	/* how long a notify command may run */

/* Why a run ended as it did: what run_classify found. */
enum run_why {
	RUN_WHY_EXITED,		/* the script exited (0: SUCCEEDED) */
	RUN_WHY_SIGNALED,	/* it died of a signal of its own */
	RUN_WHY_EXEC,		/* it could not be executed (126, 127) */
	RUN_WHY_NOSTART,	/* no process could be started */
	RUN_WHY_SECRETS,	/* its secrets could not be decrypted: not
				   started */
	RUN_WHY_GUARD,		/* the guard running it was killed */
	RUN_WHY_TIMEOUT,	/* it ran past its timeout */
	RUN_WHY_FENCED,		/* stopped: the lease could not be renewed */
	RUN_WHY_LOST,		/* stopped: the lease was lost to another */
	RUN_WHY_CANCELLED	/* a stop signal we passed on to it */
};

/* What is known of how a run's script ended, for run_classify. */
struct run_facts {
	const char	*secrets_error;	/* not NULL: not started, for this */
	bool		 started;	/* process_run returned 0 */
	const char	*start_error;	/* its message when not started */
	struct proc_result res;		/* process_run's result */
	bool		 fenced;	/* the lease tick stopped it because
					   the lease could not be renewed (not
					   because it was lost) */
	long		 timeout_secs;	/* the timeout that applied */
	const char	*script;	/* the path run, for messages */
};

/* A run's outcome: what is recorded and what the program exits with. */
struct run_outcome {
	enum run_why	 why;
	const char	*status;	/* SUCCEEDED FAILED TIMEOUT CANCELLED */
	const char	*message;	/* NULL, or static text, or into msgbuf
					   or the facts: valid while both are */
	int		 exit_code;	/* recorded; -1: none */
	int		 signo;		/* recorded; 0: none */
	int		 exit_status;	/* the program's exit status */
	bool		 stop;		/* claim nothing more after this run */
	int		 held_signo;	/* the stop signal kept from the script
					   (run_ctx.hold_first_stop), or 0 */
	char		 msgbuf[256];
};

/*
 * Classify how a run's script ended (no I/O): SUCCEEDED exit 0; FAILED with
 * the script's exit status N; FAILED 128+N when it died of signal N;
 * TIMEOUT 124; FAILED 126/127 when it could not be executed; FAILED 70 when
 * it could not be started; CANCELLED 128+N when we passed stop signal N to
 * it; CANCELLED 75 when the lease could not be renewed or was lost, or the
 * guard was killed; CANCELLED 78 when its secrets could not be decrypted.
 * Each of the CANCELLED ones stops a drain, and so does a stop signal kept
 * from the script (held_signo). out->message may point into f.
 */
void	run_classify(const struct run_facts *f, struct run_outcome *out);
/*
 * Settle o once its recording ended as fr: an outcome fenced (another run
 * holds the partition now), spooled or lost exits 75 and stops a drain,
 * but the secrets' 78 stands. (No I/O.)
 */
void	run_settle(struct run_outcome *o, enum finish_result fr);
/*
 * Return the exit status a runner exited with for a run recorded with
 * status, exit_code (-1: NULL) and signo (0: NULL), as far as the record
 * tells: SUCCEEDED 0, TIMEOUT 124, FAILED its exit code, or 128+signal,
 * or 70 (not started); CANCELLED 128+signal when it died of the signal
 * passed on to it, else 75 (the signal a script caught is not recorded);
 * ABANDONED 75; -1 for a run that has not ended (RUNNING) or an unknown
 * status. (No I/O.)
 */
int	run_exit_recorded(const char *status, int exit_code, int signo);

/*
 * Return the job id a script stands for (SPEC §3): its basename without
 * its extension ("/x/load_sales.sh" is load_sales; a leading dot is kept);
 * caller frees. Not checked: see ident_valid.
 */
char	*run_job_from_script(const char *script);
/*
 * Take a dynamic parameter NAME=VALUE (runjob --param) onto (*params)[*n]
 * (grown; key and value owned by the array). Return 0, or -1 with *errp
 * (caller frees) for no '=', a name no host may allow (ident_env_fixed:
 * what this host allows is checked with run_params_refused) or a value
 * over CONFIG_MAXVALUE.
 */
int	 run_param_add(struct cfg_kv **params, size_t *n, const char *arg,
	    char **errp);
/* Return today's date in the local time zone ("YYYY-MM-DD", the "today"
 * input's dataid) in buf of len bytes. */
char	*run_today(char *buf, size_t len);
/*
 * Return NULL when the job may get every parameter of params[0..n-1] as
 * an environment variable, else why not for the first it may not (its
 * name is refused by ident_env_refusal and s->env_allow does not name it):
 * caller frees.
 */
char	*run_params_refused(const struct cfg_kv *params, size_t n,
	    const struct settings *s);
/*
 * Return what to say of a claim of jobid that failed with e (caller
 * frees): an unknown job, a role without the runner's rights, a schema
 * missing or outdated (s names it), or the error itself.
 */
char	*run_claim_error(const struct db_error *e, const char *jobid,
	    const struct settings *s);

/* Return seconds on the monotonic clock (for claimed_at). */
double	run_now(void);

/* What the lease-renewing tick keeps while a script runs. */
struct run_lease {
	struct db	*db;
	long long	 run_id;
	long		 lease_secs;
	double		 held_since;	/* when the last renewal that worked
					   was sent (run_now): the lease runs
					   at least lease_secs from then */
	bool		 failing;	/* the last renewal did not work */
	bool		 lost;		/* the database says another holds it */
	bool		 fenced;	/* we stopped: could not renew in time */
	const struct report *report;
};

/*
 * After a failed renewal at now (run_now): return -1 when two thirds of the
 * lease have passed since held_since (fence: stop the script before the
 * lease can expire and another host take the partition over), else the ms
 * until the next try (RUN_RENEW_RETRY_MS, or at the fence if sooner).
 */
long	run_lease_retry_ms(double held_since, long lease_secs, double now);
/*
 * The process_run tick (arg: the struct run_lease): renew the lease, each
 * attempt (reconnecting included) taking at most a third of it. Return 0
 * when renewed, -1 to stop the script (lost, or fenced), else the ms until
 * the next try. Warnings go through the lease's report.
 */
int	run_lease_tick(void *arg);

/* What a runner keeps for all its runs of one job. */
struct run_ctx {
	const struct settings *settings;
	struct db	*db;
	struct secrets	*secrets;	/* the passkey, for datasets' passwords */
	const char	*jobid;
	const char	*host;		/* this host's name, for notify */
	const char	*script;	/* the resolved path of argv[0] */
	char *const	*argv;		/* the script and its arguments */
	long		 timeout_secs;	/* 0: the job's own */
	const char	*log_dir;	/* per-run output files; NULL: none */
	bool		 quiet_success;	/* hold the output back unless it
					   fails (without log_dir) */
	bool		 no_passkey;	/* without a passkey, run a job whose
					   datasets have passwords (else
					   refuse: CANCELLED, EXIT_CONFIG) */
	int		 out_fd;	/* where held-back output of a failed
					   run goes (standard output) */
	int		 err_fd;	/* where the script's stderr is passed
					   on when not in a file (-1: no) */
	bool		 hold_first_stop; /* a worker's graceful stop: the
					   first stop signal lets the script
					   finish (process.h) */
	struct report	 report;	/* REPORT_INFO: started, ended */
	/* Called after each run's end is settled (recorded, spooled, ...),
	 * e.g. to count runs; may be NULL. */
	void		(*finished)(void *arg, const struct claim *c,
			    const struct run_outcome *o);
	void		*finished_arg;
};

/*
 * Run the script on claim c (claimed at claimed_at, run_now) and record how
 * it ended: decrypt the datasets' passwords, build the environment, run it
 * while renewing the lease, classify its end, keep its metrics and stderr
 * tail, record the end fenced (or spool it), and run the job's notify
 * command when it wants to hear. Keeps nothing between calls. Return the
 * exit status of this run; *stop is set when no more should be claimed.
 */
int	run_execute(const struct run_ctx *rc, const struct claim *c,
	    double claimed_at, bool *stop);

/*
 * Read the metrics the script wrote to path (at most METRICS_MAXFILE bytes;
 * a path that cannot be opened, or NULL, is no metrics); malformed lines
 * are said through r. Return the metrics as JSON text (caller frees), or
 * NULL when none.
 */
char	*run_metrics_read(const char *path, const char *jobid,
	    const struct claim *c, const struct report *r);
/*
 * Return NULL when the job's notify command may run on this host (its
 * program is in notify_allow); else say so through r and return the run's
 * message with the refusal appended (caller frees).
 */
char	*run_notify_refused(const struct settings *s, const char *jobid,
	    const struct claim *c, const char *message,
	    const struct report *r);
/*
 * Run the job's notify command (no shell; at most RUN_NOTIFY_MS) with the
 * run described in its environment. The run's outcome stands whatever
 * becomes of it: a failure is only said through r.
 */
void	run_notify(const char *jobid, const struct claim *c,
	    const struct run_end *end, double elapsed, const char *host,
	    const struct report *r);

#endif
