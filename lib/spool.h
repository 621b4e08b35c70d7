/* spool.h: run outcomes the database could not take, kept on local disk
 * until a later runjob on the same host records them (fenced as usual). */
#ifndef DF_SPOOL_H
#define DF_SPOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "claim.h"

/* One spooled outcome. Strings are owned by the entry. */
struct spool_entry {
	char		*path;		/* its file */
	char		*db;		/* which database it belongs to */
	long long	 run_id;
	char		*jobid;
	char		*dataid;
	char		*status;
	int		 exit_code;	/* -1: none */
	int		 signo;		/* 0: none */
	char		*message;
	char		*metrics_json;
	char		*stderr_tail;
	bool		 stale;		/* written with a secret in db by an
					   older runjob: no runjob can replay
					   it; remove it */
};

/*
 * Return the spool directory (caller frees): $DATAFLOW_SPOOL_DIR, else
 * $XDG_STATE_HOME/dataflow/spool, else ~/.local/state/dataflow/spool;
 * NULL when none can be named (no HOME).
 */
char	*spool_dir(void);
/*
 * Write the outcome of run_id to a new file in dir (created 0700 if
 * missing; the file 0600, written whole then renamed into place). db names
 * the database so that only a runjob using the same one replays it.
 * Return the file's path (caller frees), or NULL with *errp (caller frees).
 */
char	*spool_write(const char *dir, const char *db, long long run_id,
	    const char *jobid, const char *dataid, const struct run_end *end,
	    char **errp);
/*
 * Read the entries of dir that belong to db, oldest run first, into
 * *entries (free with spool_free), and those no runjob can ever replay
 * (stale: an older runjob put a password in their db). A missing dir is
 * no entries; files that do not parse are skipped. Return 0, or -1 with
 * *errp.
 */
int	 spool_list(const char *dir, const char *db,
	    struct spool_entry **entries, size_t *n, char **errp);
/* Return e as a run_end for claim_finish (pointing into e). */
void	 spool_run_end(const struct spool_entry *e, struct run_end *end);
/* Free n entries from spool_list; NULL is a no-op. */
void	 spool_free(struct spool_entry *entries, size_t n);

#endif
