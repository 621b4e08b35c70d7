/* listing.h: the read-only listings of the operations commands (status,
 * grid, runs, show, explain, audit, workers, graph, metrics): their SQL,
 * their rows for text output and their JSON documents, built once for the
 * commands' --json and the HTTP API. */
#ifndef DF_LISTING_H
#define DF_LISTING_H

#include <stdbool.h>
#include <stddef.h>

struct db;
struct db_error;
struct db_result;
struct json_t;

/*
 * Every function below returns 0, or -1 with *e filled: a failed
 * statement, or an unknown job, dataset or run named by the caller, which
 * is an error of SQLSTATE DF001 whose message says so ("unknown job
 * \"x\""), as the df_* functions raise it. Rows are the caller's to free
 * with db_result_free; a document is NUL-terminated JSON text, indented
 * and ending with a newline, the caller's to free.
 */

/*
 * Return o as every document is printed: indented by 2, members in
 * order, numbers to 12 significant digits, ending with a newline; caller
 * frees. NULL if o cannot be encoded.
 */
char		*listing_json_text(struct json_t *o);
/* Return a new JSON value from json or jsonb text (NULL or invalid: JSON
 * null). */
struct json_t	*listing_json_value(const char *text);

/*
 * dataflow status: one row per job (or only jobid): the columns of
 * df_status, state (paused, busy, running, ready, idle) and
 * last_age_secs (since the last run ended, or started).
 */
int		 listing_status(struct db *db, const char *jobid,
		    struct db_result **rows, struct db_error *e);
/* {"jobs": [...]} (dataflow(1), Output). */
int		 listing_status_json(struct db *db, const char *jobid,
		    char **json, struct db_error *e);
/*
 * The jobs (not removed) whose tags include every pair of the JSON object
 * text tags: set *rows (jobid, by name); 0, or -1 with *e filled.
 */
int		 listing_match_jobs(struct db *db, const char *tags,
		    struct db_result **rows, struct db_error *e);

/* The grid cells: one character per state of a partition's work. */
struct listing_cell {
	const char	*state;
	char		 c;
};
extern const struct listing_cell listing_cells[];
extern const size_t listing_ncells;
#define LISTING_GRID_WIDTH	80	/* the default grid fits this wide */

/*
 * The status grid (df_grid): per job (or only jobid) in dependency order,
 * jobid, paused, dataids (the columns, a JSON array, the same on every
 * row) and states (a JSON array). limit is how many of the newest dataids
 * to read: 0 for all, -1 for as many as could fit LISTING_GRID_WIDTH.
 */
int		 listing_grid(struct db *db, const char *jobid, long limit,
		    struct db_result **rows, struct db_error *e);
/* Return the cell of a state (NULL: no work). */
char		 listing_grid_cell(const char *state);
/* Return the cells of the last ncols of states (a JSON array of states)
 * as a string; caller frees. */
char		*listing_grid_cells(struct json_t *states, size_t ncols);
/* Return the label of row i of the grid ("job (paused)"); caller frees. */
char		*listing_grid_name(const struct db_result *rows, int i);
/* Return the width of the grid's job names' column: its widest label. */
int		 listing_grid_width(const struct db_result *rows);
/*
 * Return how many of the n dataids the grid shows: limit of them (0: all),
 * or with -1 as many as fit LISTING_GRID_WIDTH beside job names width
 * wide.
 */
size_t		 listing_grid_ncols(size_t n, long limit, int width);
/* {"dataids": [...], "jobs": [...]}: the columns listing_grid_ncols
 * shows, and per job its cells as printed and their states. */
int		 listing_grid_json(struct db *db, const char *jobid,
		    long limit, char **json, struct db_error *e);

/* What dataflow runs lists. */
struct listing_runs {
	const char	*jobid;		/* NULL: any; else a job that existed */
	const char	*label;
	const char	*dataid;
	bool		 failed;	/* only runs that did not succeed */
	long		 limit;		/* newest first; 0: all */
	const char	*cursor;	/* the document's: after this "next" */
	bool		 page;		/* the document has "next" when more
					   follow (the API, --after) */
};

/*
 * The runs, newest first: run_id, jobid, dataid, attempt, status, host,
 * pid, username, label, started (ISO 8601), started_epoch, ended,
 * duration_secs, exit_code, signal, params (masked), metrics, message.
 */
int		 listing_runs(struct db *db, const struct listing_runs *f,
		    struct db_result **rows, struct db_error *e);
/* {"runs": [...]} (df_list_runs), with "next" as f says; an invalid
 * cursor is an error of SQLSTATE 22023. */
int		 listing_runs_json(struct db *db, const struct listing_runs *f,
		    char **json, struct db_error *e);
/* One run (dataflow show): the columns of listing_runs, heartbeat,
 * lease_until, stderr_tail, work_state and holds_work. */
int		 listing_show(struct db *db, long long run_id,
		    struct db_result **rows, struct db_error *e);
/* The run as one object. */
int		 listing_show_json(struct db *db, long long run_id,
		    char **json, struct db_error *e);

/*
 * dataflow explain: the job (jobid, paused, run_order, max_running,
 * max_attempts, running) and its partitions (df_explain, at most limit of
 * them, 0: all; or only dataid when not NULL), with "today" the local
 * date now.
 */
int		 listing_explain(struct db *db, const char *jobid,
		    const char *dataid, long limit, struct db_result **job,
		    struct db_result **rows, struct db_error *e);
/* {"jobid", ..., "partitions": [...]}. */
int		 listing_explain_json(struct db *db, const char *jobid,
		    const char *dataid, long limit, char **json,
		    struct db_error *e);

/* What dataflow audit lists. */
struct listing_audit {
	const char	*jobid;		/* NULL: any; else a job that existed */
	const char	*datasetid;	/* likewise a dataset */
	const char	*dataid;
	const char	*action;
	long		 limit;		/* newest first; 0: all */
	const char	*cursor;	/* as in struct listing_runs */
	bool		 page;
};

/*
 * The audit trail, newest first: audit_id, at (ISO 8601), at_epoch, who,
 * host, action, jobid, datasetid, dataid, detail (secrets masked), reason.
 */
int		 listing_audit(struct db *db, const struct listing_audit *f,
		    struct db_result **rows, struct db_error *e);
/* {"entries": [...]} (df_list_audit), with "next" as f says. */
int		 listing_audit_json(struct db *db,
		    const struct listing_audit *f, char **json,
		    struct db_error *e);

/* Registered workers (df_worker_list), newest first: times as text, the
 * start also as started_epoch. */
int		 listing_worker_list(struct db *db, struct db_result **rows,
		    struct db_error *e);
int		 listing_worker_list_json(struct db *db, char **json,
		    struct db_error *e);
/* One worker (as listing_worker_list) and its latest runs; an unknown
 * one is an error of SQLSTATE DF001. */
int		 listing_worker_show(struct db *db, long long id,
		    struct db_result **rows, struct db_result **runs,
		    struct db_error *e);
int		 listing_worker_show_json(struct db *db, long long id,
		    char **json, struct db_error *e);
/* Per host (df_workers), with first_seen_epoch. */
int		 listing_workers(struct db *db, struct db_result **rows,
		    struct db_error *e);
/* {"hosts": [...]}. */
int		 listing_workers_json(struct db *db, char **json,
		    struct db_error *e);

/* The graph (df_graph) of everything or of jobid's closure; a job is
 * lagging when its oldest pending partition waited lag_secs. */
int		 listing_graph(struct db *db, const char *jobid, long lag_secs,
		    struct db_result **rows, struct db_error *e);
/* {"nodes": [...], "edges": [...]}. */
int		 listing_graph_json(struct db *db, const char *jobid,
		    long lag_secs, char **json, struct db_error *e);

/* What the API's partitions of a job list. */
struct listing_partitions {
	const char	*jobid;		/* a job not removed */
	const char	*from, *to;	/* dataids, each may be NULL */
	const char	*state;		/* a state of the grid, or NULL */
	long		 limit;		/* newest first; 0: all */
	const char	*cursor;	/* as in struct listing_runs */
	bool		 page;
};
/* {"jobid", "paused", "partitions": [{"dataid", "state", "attempts",
 * "failures", "run_id", "modified"}]} (df_list_partitions). */
int		 listing_partitions_json(struct db *db,
		    const struct listing_partitions *f, char **json,
		    struct db_error *e);

/*
 * The console's timeline (df_list_timeline): {"since", "until", "hours",
 * "limit", "capped", "runs": [...]}, the runs that ran in the last hours,
 * at most limit (the newest), oldest first. *json is the caller's.
 */
int		 listing_timeline_json(struct db *db, int hours, long limit,
		    char **json, struct db_error *e);
/*
 * The console's backlog (df_list_backlog): {"since", "until",
 * "step_secs", "jobs": [{"jobid", "claimable": [...]}]}, points + 1
 * counts over the last hours of every job, or of jobid (an unknown one is
 * an error of SQLSTATE DF001). *json is the caller's.
 */
int		 listing_backlog_json(struct db *db, const char *jobid,
		    int hours, int points, char **json, struct db_error *e);

/*
 * The Prometheus exposition (exposition_text) of every job's and host's
 * state (df_metrics), durations summarised over the last window_secs: the
 * text of dataflow metrics and of /metrics.
 */
int		 listing_metrics_text(struct db *db, long window_secs,
		    char **text, struct db_error *e);

#endif
