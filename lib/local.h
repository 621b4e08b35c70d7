/* local.h: the private PostgreSQL of "dataflow local": where its files live,
 * the server binaries, and running them as the cluster's owner. */
#ifndef DF_LOCAL_H
#define DF_LOCAL_H

#include <sys/types.h>

#include <stdbool.h>

/* The role the programs use: owns the database and the schema, and is no
 * superuser. The cluster's superuser (initdb's) is only for administration:
 * "dataflow local init" uses it to make the role and the database. */
#define LOCAL_ROLE		"dataflow"	/* database role, the owner */
#define LOCAL_SUPERUSER		"postgres"	/* the cluster's superuser */
#define LOCAL_DATABASE		"dataflow"	/* the database RunJob uses */
#define LOCAL_PORT		"5432"		/* names the socket file only */
#define LOCAL_OSUSER		"dataflow"	/* runs the server for root */
#define LOCAL_SYSTEM_DIR	"/var/lib/dataflow/pg"	/* root's default */
#define LOCAL_PROPERTIES	"dataflow.properties"
/* The first line of what init adds to postgresql.conf: marks our clusters. */
#define LOCAL_CONF_MARK		"# dataflow local:"

/* The files of one cluster, all absolute paths under dir. */
struct local_paths {
	char	*dir;		/* the cluster's directory (--dir) */
	char	*data;		/* dir/data: the data directory */
	char	*sockdir;	/* dir/run: the Unix socket's directory */
	char	*socket;	/* sockdir/.s.PGSQL.5432 */
	char	*log;		/* dir/postgresql.log: the server log */
};

/* An operating system user, to run the server as. */
struct local_user {
	uid_t	 uid;
	gid_t	 gid;
	char	*name;
};

/*
 * Return the default cluster directory, caller frees: /var/lib/dataflow/pg
 * for root (a server user cannot reach root's home), else
 * $XDG_DATA_HOME/dataflow/pg (default ~/.local/share/dataflow/pg). NULL with
 * *errp (caller frees) when there is no home directory.
 */
char	*local_default_dir(char **errp);
/*
 * Fill lp for the cluster in dir (made absolute against the current
 * directory). Return 0, or -1 with *errp (caller frees) when the socket's
 * path would be too long for a Unix socket.
 */
int	 local_paths_init(struct local_paths *lp, const char *dir,
	    char **errp);
/* Free the paths of lp; a cleared lp may be cleared again. */
void	 local_paths_clear(struct local_paths *lp);

/*
 * Return the directory holding PostgreSQL's initdb and pg_ctl, caller
 * frees: $PG_BINDIR, else the newest /usr/lib/postgresql/N/bin (or
 * /usr/pgsql-N/bin), preferring version major when not NULL, else the
 * directory of pg_ctl in $PATH. NULL with *errp (caller frees) when none.
 */
char	*local_find_bindir(const char *major, char **errp);

/* Look up user name; return 0, or -1 with *errp (caller frees). */
int	 local_user_lookup(const char *name, struct local_user *u,
	    char **errp);
/* Fill u with the owner of path; return 0, or -1 with *errp. */
int	 local_user_of(const char *path, struct local_user *u, char **errp);
/* Fill u with the user we run as; return 0, or -1 with *errp. */
int	 local_user_self(struct local_user *u, char **errp);
/* Free the name in u. */
void	 local_user_clear(struct local_user *u);

/*
 * Run argv[0] (an absolute path; no shell) with argv as user as (NULL or
 * ourselves: no change; else its uid, gid and groups, which needs root),
 * from "/", standard input /dev/null, and wait for it. Its standard output
 * and error go to *output (caller frees; the last 16 KiB) when output is
 * not NULL, else to /dev/null. Set *status to its exit status (128+N when
 * killed by signal N, 127 when it could not be executed). Return 0, or -1
 * with *errp (caller frees) when it could not be started.
 */
int	 local_spawn(const char *const *argv, const struct local_user *as,
	    char **output, int *status, char **errp);
/*
 * Return whether user as can enter and write directory dir (every parent
 * must let it through), checked by a child process running as that user.
 */
bool	 local_user_can_use(const char *dir, const struct local_user *as);

/*
 * Return 0 when the cluster's directory lp->dir (if it exists) is owned by
 * the effective user, root or server (who runs the cluster's PostgreSQL)
 * and is writable by neither group nor others, and its parent is not
 * writable by others without the sticky bit (SPEC §4: another user could
 * replace its properties file, or the cluster). Else -1 with *errp
 * (caller frees) naming the directory and why.
 */
int	 local_dir_trusted(const struct local_paths *lp, uid_t server,
	    char **errp);
/* Return whether lp->data holds a cluster (PG_VERSION is there). */
bool	 local_initialised(const struct local_paths *lp);
/*
 * Return whether the cluster in data is one "dataflow local" made (its
 * postgresql.conf carries LOCAL_CONF_MARK).
 */
bool	 local_is_ours(const char *data);
/*
 * Return the directory of the "dataflow local" cluster whose socket
 * directory host is (DIR/run with a cluster of ours in DIR/data), caller
 * frees; NULL when host (a libpq host list, or NULL) is no such thing.
 */
char	*local_dir_of_host(const char *host);
/* Return the major version in data/PG_VERSION (caller frees), or NULL. */
char	*local_pg_version(const char *data);
/*
 * Return the process id of the cluster's running postmaster (from
 * postmaster.pid, checked to be alive), or 0 when it is not running.
 */
pid_t	 local_server_pid(const struct local_paths *lp);

/*
 * Configure the new cluster in data (not yet at lp->data): a Unix socket
 * in lp->sockdir only, and peer authentication for the operating system
 * users in osusers (n of them), mapped to the roles LOCAL_ROLE and
 * LOCAL_SUPERUSER (as whom they may connect: they own the cluster's files
 * anyway; the programs' properties name LOCAL_ROLE). Files are
 * written as we are; those of the server user stay its own. Return 0, or
 * -1 with *errp (caller frees).
 */
int	 local_configure(const struct local_paths *lp, const char *data,
	    const char *const *osusers, size_t n, char **errp);
/* Return the libpq URI of database dbname in the cluster (caller frees). */
char	*local_url(const struct local_paths *lp, const char *dbname);
/* Return the text of a dataflow.properties for the cluster (caller frees). */
char	*local_properties_text(const struct local_paths *lp);

/*
 * Write text to path, mode 0644: a new file (O_EXCL, no symbolic link
 * followed), or with replace a complete new one renamed over the old
 * (fileio_write_atomic).
 * Return 0, or -1 with *errp (caller frees).
 */
int	 local_write_file(const char *path, const char *text, bool replace,
	    char **errp);
/* Remove path and everything under it. Return 0, or -1 with *errp. */
int	 local_remove_tree(const char *path, char **errp);

#endif
