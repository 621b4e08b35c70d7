/* odf.h: an OpenDataFlow database (its dataset, job and datastatus rows)
 * turned into dataflow's configuration and partition statuses, by
 * OpenDataFlow's rules; and written into dataflow's schema. */
#ifndef DF_ODF_H
#define DF_ODF_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct db;
struct db_error;
struct json_t;
struct plan;

/* The columns of the rows odf takes, as OpenDataFlow's tables name them. */
/* datasetid, hostname, database, schemaname, tablename, username,
 * encryptedpass */
#define ODF_DATASET_COLS	7
/* jobid, itemtype, datasetid, itemvalue */
#define ODF_JOB_COLS		4
/* datasetid, jobid, dataid, locktype, status */
#define ODF_STATUS_COLS		5

/* What a status row says a job did on a partition, weakest first. */
enum odf_kind {
	ODF_SUCCEEDED,		/* done */
	ODF_RERUN,		/* resubmitted: to run again, no attempt */
	ODF_FAILED,		/* one failed attempt */
	ODF_NKINDS
};

/* Three parallel text arrays, as df_import_partitions/work take them. */
struct odf_cols {
	const char	**v[3];
	size_t		  n;
};

/* One job's outcome on one partition, from one status row. */
struct odf_work;

/*
 * An import. Callers read the fields above "private" once the step that
 * fills them is done, and never write them.
 */
struct odf {
	struct diag		 skipped;	/* could not import */
	struct diag		 notes;		/* imported, changed */
	size_t			 nrows_datasets, nrows_jobs, nrows_status;
	struct config		*want;		/* odf_config */
	/* Partition statuses (odf_status): datasetid, dataid and
	 * "READY", "FAILED" or "RESUBMIT"; one per partition. */
	struct odf_cols		 parts;
	size_t			 nparts[3];	/* by status, in that order */
	size_t			 nsuperseded;	/* older rows passed over */
	/* What jobs did (odf_finish): jobid, dataid and the name of an
	 * enum odf_kind ("succeeded", "rerun", "failed"); one per job
	 * and partition. */
	struct odf_cols		 work;
	size_t			 nwork[ODF_NKINDS];
	/* Left as they were, running in dataflow now (odf_write). */
	size_t			 nparts_kept, nwork_kept;

	/* private */
	struct json_t		*datasets, *jobs;
	char			*bad_job, *prev_ds, *prev_id;
	struct odf_work		*rows;
	size_t			 nrows;
	char			**strings;
	size_t			 nstrings;
};

/* Return a new, empty import (caller frees with odf_free). */
struct odf	*odf_new(void);
/* Free o and all it holds; NULL is a no-op. */
void		 odf_free(struct odf *o);

/*
 * Take one row of table dataset (ODF_DATASET_COLS columns, NULL for SQL
 * NULL). Of the rows of one id the first taken is imported: give them in
 * the order they were stored. Take every dataset row before the job rows.
 */
void		 odf_dataset(struct odf *o, const char *const *row);
/*
 * Take one row of table job (ODF_JOB_COLS columns): items IN and OUT are
 * inputs and outputs, any other itemtype a variable (a parameter,
 * itemvalue its value). Give the rows of a job together, newest first:
 * of two values of one variable the first taken is imported.
 */
void		 odf_job_item(struct odf *o, const char *const *row);
/*
 * Build and check the configuration the rows taken describe (environment
 * names against allow, NULL-terminated, may be NULL). Return 0 with
 * o->want set, or -1 with why in *d.
 */
int		 odf_config(struct odf *o, const char *const *allow,
		    struct diag *d);
/*
 * After odf_config, take one row of table datastatus (ODF_STATUS_COLS
 * columns). Give them ordered by datasetid and dataid, each partition's
 * newest first: the first row of a partition says its status.
 */
void		 odf_status(struct odf *o, const char *const *row);
/* After the status rows: one outcome per job and partition (an output's
 * row decides, else the worst), in o->work and o->nwork. */
void		 odf_finish(struct odf *o);

/*
 * Write o's configuration, partition statuses and work into dataflow's
 * schema with an audit record by actor, in one transaction serialized
 * against applies (catalog_update), committed unless dry_run (then rolled
 * back, o's kept counts still set). Return 0 with *planp the
 * configuration's plan (caller frees with plan_free), or -1 with *e
 * filled and nothing changed.
 */
int		 odf_apply(struct odf *o, struct db *db, const char *actor,
		    bool dry_run, struct plan **planp, struct db_error *e);

/*
 * Return the messages of d sorted, repeated ones folded into "message (N
 * times)", as a JSON array of strings (caller decrefs). Sorts d.
 */
struct json_t	*odf_fold(struct diag *d);

#endif
