/* runjob.h: what runjob's files share: its options, what it holds from
 * start to exit, and the loops that claim and run (loop.c, streams.c). */
#ifndef DF_RUNJOB_H
#define DF_RUNJOB_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "claim.h"
#include "open.h"
#include "run.h"
#include "secrets.h"

struct cfg_kv;
struct db;
struct settings;

struct options {
	const char	 *jobid;
	const char	 *dataid;
	const char	 *config;
	const char	 *label;
	const char	 *log_dir;
	const char	 *passkey_file;
	bool		  export_passkey;
	bool		  no_passkey;	/* run without the datasets'
					   passwords when there is none */
	bool		  distinct_exit; /* a script's 64, 75, 78 exit 1 */
	bool		  idle_exit_set;
	long		  timeout_secs;	/* 0: the job's own */
	long		  max_runs;	/* 0: unlimited */
	bool		  drain;
	bool		  follow;	/* drain, then wait for more */
	long		  streams;	/* --streams N: N worker processes */
	long		  recheck_secs;	/* --follow's periodic re-check */
	bool		  dry_run;
	bool		  quiet_success;	/* output only when it fails */
	int		  idle_exit;
	int		  verbosity;	/* 0 quiet, 1 normal, 2 verbose */
	struct cfg_kv	 *params;
	size_t		  nparams;
	char *const	 *argv;		/* the script and its arguments */
};

/* What runjob holds from its start to its exit. */
struct runjob {
	struct options		 o;
	struct open_opts	 oo;	/* how it opened the database */
	struct settings		*s;
	struct db		*db;
	struct secrets		 sec;
	struct claim_request	 req;
	struct run_ctx		 rc;
	char			*jobid_owned;
	char			*script_path;
	char			*user;
	char			 host[256];
	char			 today[16];
	char			**failed;	/* this drain's failed dataids */
	size_t			 nfailed;
	int			 stream;	/* its stream of --streams, or -1 */
	long long		*runs_done;	/* --streams on a terminal: the
						   runs of all streams, shared
						   with the supervisor; or
						   NULL */
	/* What the last run's finished hook saw (loop.c). */
	bool			 last_held;	/* a stop signal was kept from
						   its script */
	enum run_why		 last_why;
	bool			 last_from_script; /* its exit status is
						   the script's own */
};

/* Default and bounds of --recheck (SPEC: at most a minute apart). */
#define RUNJOB_RECHECK_SECS	30
#define RUNJOB_RECHECK_MAX	60
/* Most --streams of one command. */
#define RUNJOB_STREAMS_MAX	256

/* One status line on stderr, unless quiet. */
void	say(const struct options *o, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* With --quiet-success: print the status lines held since the last call
 * when print is true (something failed), and forget them. */
void	say_release(bool print);
/* The lib's messages to stderr, as o's verbosity says (report.h). */
void	runjob_report(void *arg, enum report_level level, const char *msg);
/* The stop signals (SIGINT, SIGTERM, SIGHUP) into *set. */
void	stop_sigset(sigset_t *set);
/* Return a stop signal waiting to be handled, or 0. */
int	pending_stop_signal(void);

/*
 * Claim and run until done, stopped or told to (--max-runs, --drain), or,
 * with --follow, for as long as no stop signal came, waiting for work in
 * between; a --drain or --follow registers as a worker. Return the exit
 * status.
 */
int	claim_loop(struct runjob *rj);
/*
 * --streams N: run N copies of claim_loop, each in a process of its own
 * with a connection of its own, restart one that died, and stop them all
 * on a stop signal. rj's connection is closed first. Return the exit
 * status.
 */
int	streams_run(struct runjob *rj);

#endif
