/* claim.h: claim the next partition of a job, keep its lease, record its end. */
#ifndef DF_CLAIM_H
#define DF_CLAIM_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct db;
struct db_error;

struct claim_request {
	const char	 *jobid;
	const char	 *dataid;	/* a specific partition, or NULL */
	const char	 *today;	/* YYYY-MM-DD for the "today" input */
	const char *const *exclude;	/* dataids not to take (this drain's
					   failures), may be NULL */
	size_t		  nexclude;
	const char	 *host;
	int		  pid;
	const char	 *user;
	const char	 *label;	/* may be NULL */
	const struct cfg_kv *params;	/* dynamic parameters */
	size_t		  nparams;
	long		  lease_secs;
	bool		  dry_run;
	long long	  worker_id;	/* the claiming worker (worker.h), or
					   0 for none */
};

/* A dataset of the claimed job, as the job's environment describes it. */
struct claim_dataset {
	char		*id;
	char		 itemtype[4];		/* "IN" or "OUT" */
	char		*attrs[CFG_NATTRS];	/* NULL when not set */
	struct cfg_kv	*extra;
	size_t		 nextra;
};

enum claim_outcome {
	CLAIM_CLAIMED,		/* claimed (or, dry run, would claim) */
	CLAIM_NONE,		/* nothing claimable */
	CLAIM_NOINPUTS,		/* nothing: the job has no inputs (it runs
				   with a dataid named) */
	CLAIM_PAUSED,		/* the job is paused */
	CLAIM_BUSY,		/* the job is at max_running */
	CLAIM_WAITING,		/* the requested dataid's inputs aren't READY */
	CLAIM_HELD,		/* the requested dataid is running */
	CLAIM_DONE,		/* the requested dataid already succeeded */
	CLAIM_EXHAUSTED		/* the requested dataid used its attempts */
};

/* The sqlstate of a claim refused for the schema's version (claim_next). */
#define CLAIM_SKEW_STATE	"DFV01"

struct claim {
	enum claim_outcome	 outcome;
	long long		 run_id;
	char			*dataid;
	int			 attempt;
	long			 timeout_secs;	/* the job's; 0: none */
	char			*owner;		/* the job's, or NULL */
	char			**notify;	/* the job's notify command */
	size_t			 nnotify;
	bool			 notify_always;	/* also on success */
	struct cfg_kv		*params;	/* static merged with dynamic */
	size_t			 nparams;
	struct claim_dataset	*datasets;	/* inputs then outputs */
	size_t			 ndatasets;
};

/*
 * Claim the next partition for req->jobid in one round trip (see
 * df_claim in sql/functions.sql). Return 0 with *c filled (free with
 * claim_clear; c->outcome says whether anything was claimed), or -1 with
 * *e filled (an unknown job has SQLSTATE DF001; a database whose schema
 * version is not SCHEMA_VERSION, DB_ERR_SCHEMA with CLAIM_SKEW_STATE and
 * nothing claimed).
 */
int		 claim_next(struct db *db, const struct claim_request *req,
		    struct claim *c, struct db_error *e);
/* Free what c holds and zero it. */
void		 claim_clear(struct claim *c);
/* Return a short description of an outcome ("nothing to do", ...). */
const char	*claim_outcome_text(enum claim_outcome o);

/* How a run ended, for claim_finish. */
struct run_end {
	const char	*status;	/* SUCCEEDED FAILED TIMEOUT CANCELLED */
	int		 exit_code;	/* -1: none (killed by a signal) */
	int		 signo;		/* 0: none */
	const char	*message;	/* may be NULL */
	const char	*metrics_json;	/* a JSON object, or NULL */
	const char	*stderr_tail;	/* may be NULL */
};

/*
 * Record the end of run_id, fenced: only a run that still holds its claim
 * can end; waiting at most timeout_ms for the database. Return 0 when
 * recorded (also when the run already has this very status: an earlier
 * attempt whose answer was lost), 1 when fenced (*fenced_by receives the
 * run's status as the database has it, e.g. "ABANDONED"; caller frees), or
 * -1 with *e filled (nothing recorded, or not known to be: retry).
 */
int		 claim_finish(struct db *db, long long run_id,
		    const struct run_end *end, long timeout_ms,
		    char **fenced_by, struct db_error *e);
/*
 * Extend the lease of run_id by lease_secs from now, waiting at most
 * timeout_ms for the database. Return 1 if the run still holds its claim,
 * 0 if it lost it, -1 with *e filled.
 */
int		 claim_renew(struct db *db, long long run_id, long lease_secs,
		    long timeout_ms, struct db_error *e);

#endif
