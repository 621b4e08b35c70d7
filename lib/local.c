/* local.c: the files, binaries and processes of the private PostgreSQL
 * cluster of "dataflow local". */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "local.h"
#include "process.h"
#include "spawn.h"
#include "strbuf.h"
#include "trust.h"
#include "xmalloc.h"

#define LOCAL_OUTPUT_MAX	16384	/* bytes of a child's output kept */

char *
local_default_dir(char **errp)
{
	const char	*xdg, *home;

	if (geteuid() == 0)
		return xstrdup(LOCAL_SYSTEM_DIR);
	/* The XDG spec says to ignore a relative XDG_DATA_HOME. */
	if ((xdg = getenv("XDG_DATA_HOME")) != NULL && xdg[0] == '/')
		return xasprintf("%s/dataflow/pg", xdg);
	if ((home = getenv("HOME")) == NULL || home[0] != '/') {
		*errp = xstrdup("no home directory ($HOME): use --dir");
		return NULL;
	}
	return xasprintf("%s/.local/share/dataflow/pg", home);
}

int
local_paths_init(struct local_paths *lp, const char *dir, char **errp)
{
	struct sockaddr_un	 sun;
	char			 cwd[PATH_MAX];
	size_t			 len;

	memset(lp, 0, sizeof(*lp));
	if (dir[0] == '/')
		lp->dir = xstrdup(dir);
	else if (getcwd(cwd, sizeof(cwd)) == NULL) {
		*errp = xasprintf("could not find the current directory: %s",
		    strerror(errno));
		return -1;
	} else
		lp->dir = xasprintf("%s/%s", cwd, dir);
	/* "a/b/" and "a/b" are one directory. */
	while ((len = strlen(lp->dir)) > 1 && lp->dir[len - 1] == '/')
		lp->dir[len - 1] = '\0';
	lp->data = xasprintf("%s/data", lp->dir);
	lp->sockdir = xasprintf("%s/run", lp->dir);
	lp->socket = xasprintf("%s/.s.PGSQL.%s", lp->sockdir, LOCAL_PORT);
	lp->log = xasprintf("%s/postgresql.log", lp->dir);
	if (strlen(lp->socket) >= sizeof(sun.sun_path)) {
		*errp = xasprintf("\"%s\" is too long for a Unix socket (%zu "
		    "bytes at most): use a shorter --dir", lp->socket,
		    sizeof(sun.sun_path) - 1);
		local_paths_clear(lp);
		return -1;
	}
	return 0;
}

void
local_paths_clear(struct local_paths *lp)
{
	free(lp->dir);
	free(lp->data);
	free(lp->sockdir);
	free(lp->socket);
	free(lp->log);
	memset(lp, 0, sizeof(*lp));
}

static bool
local_has_server(const char *bindir)
{
	char	 path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/initdb", bindir) >=
	    (int)sizeof(path) || access(path, X_OK) == -1)
		return false;
	snprintf(path, sizeof(path), "%s/pg_ctl", bindir);
	return access(path, X_OK) == 0;
}

/*
 * Return the directory matching pattern (its '*' a major version) that
 * holds a server: version want if not NULL, else the newest. Caller frees;
 * NULL when none.
 */
static char *
local_glob_newest(const char *pattern, const char *want)
{
	glob_t	 g;
	char	*best = NULL;
	long	 v, bestv = -1;
	size_t	 i, prefix = strcspn(pattern, "*");

	if (glob(pattern, 0, NULL, &g) != 0)
		return NULL;
	for (i = 0; i < g.gl_pathc; i++) {
		const char	*p = g.gl_pathv[i];

		if (strlen(p) <= prefix || !local_has_server(p))
			continue;
		v = strtol(p + prefix, NULL, 10);
		if (want != NULL) {
			if (v == strtol(want, NULL, 10) && v > 0) {
				free(best);
				best = xstrdup(p);
				break;
			}
			continue;
		}
		if (v > bestv) {
			bestv = v;
			free(best);
			best = xstrdup(p);
		}
	}
	globfree(&g);
	return best;
}

char *
local_find_bindir(const char *major, char **errp)
{
	static const char *const dirs[] = {
		"/usr/lib/postgresql/*/bin",	/* Debian, Ubuntu */
		"/usr/pgsql-*/bin"		/* PGDG RPMs */
	};
	const char	*env;
	char		*p, *slash;
	size_t		 i;
	int		 pass;

	if ((env = getenv("PG_BINDIR")) != NULL && *env != '\0') {
		if (local_has_server(env))
			return xstrdup(env);
		*errp = xasprintf("$PG_BINDIR \"%s\" holds no initdb and "
		    "pg_ctl", env);
		return NULL;
	}
	/* The cluster's own version first: a newer server cannot run it. */
	for (pass = major != NULL ? 0 : 1; pass < 2; pass++) {
		for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			p = local_glob_newest(dirs[i], pass == 0 ? major :
			    NULL);
			if (p != NULL)
				return p;
		}
	}
	if ((p = process_which("pg_ctl")) != NULL) {
		if ((slash = strrchr(p, '/')) != NULL)
			*slash = '\0';
		if (local_has_server(p))
			return p;
		free(p);
	}
	if (local_has_server("/usr/local/pgsql/bin"))
		return xstrdup("/usr/local/pgsql/bin");
	*errp = xstrdup("no PostgreSQL server found (initdb and pg_ctl): "
	    "install the postgresql package or set PG_BINDIR");
	return NULL;
}

static void
local_user_fill(struct local_user *u, const struct passwd *pw)
{
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	u->name = xstrdup(pw->pw_name);
}

int
local_user_lookup(const char *name, struct local_user *u, char **errp)
{
	struct passwd	*pw;

	memset(u, 0, sizeof(*u));
	errno = 0;
	if ((pw = getpwnam(name)) == NULL) {
		*errp = errno != 0 ? xasprintf("could not look up user "
		    "\"%s\": %s", name, strerror(errno)) :
		    xasprintf("no user \"%s\"", name);
		return -1;
	}
	local_user_fill(u, pw);
	return 0;
}

static int
local_user_by_uid(uid_t uid, struct local_user *u, char **errp)
{
	struct passwd	*pw;

	memset(u, 0, sizeof(*u));
	errno = 0;
	if ((pw = getpwuid(uid)) == NULL) {
		*errp = xasprintf("no user name for uid %u%s%s",
		    (unsigned)uid, errno != 0 ? ": " : "",
		    errno != 0 ? strerror(errno) : "");
		return -1;
	}
	local_user_fill(u, pw);
	return 0;
}

int
local_user_of(const char *path, struct local_user *u, char **errp)
{
	struct stat	 st;

	memset(u, 0, sizeof(*u));
	if (stat(path, &st) == -1) {
		*errp = xasprintf("could not stat \"%s\": %s", path,
		    strerror(errno));
		return -1;
	}
	return local_user_by_uid(st.st_uid, u, errp);
}

int
local_user_self(struct local_user *u, char **errp)
{
	return local_user_by_uid(geteuid(), u, errp);
}

void
local_user_clear(struct local_user *u)
{
	free(u->name);
	u->name = NULL;
}

/* In a child: become user as (when it is not who we are). */
static int
local_become(const struct local_user *as)
{
	if (as == NULL || as->uid == geteuid())
		return 0;
	if (initgroups(as->name, as->gid) == -1 || setgid(as->gid) == -1 ||
	    setuid(as->uid) == -1)
		return -1;
	/* No way back: a server must not be able to regain root. */
	if (setuid(0) == 0)
		return -1;
	return 0;
}

/* local_spawn's setup in the child: the user, and "/" to run from. */
static int
local_child_setup(void *arg, const char **why)
{
	*why = "could not change user";
	if (local_become(arg) == -1)
		return -1;
	*why = "could not change to /";
	return chdir("/");
}

int
local_spawn(const char *const *argv, const struct local_user *as,
    char **output, int *status, char **errp)
{
	struct strbuf	 out = STRBUF_INIT;
	struct spawn	 sp;
	pid_t		 pid;
	int		 fds[2] = { -1, -1 }, wstatus, rc = -1;

	if (output != NULL && pipe2(fds, O_CLOEXEC) == -1) {
		*errp = xasprintf("could not run %s: pipe: %s", argv[0],
		    strerror(errno));
		goto out;
	}
	memset(&sp, 0, sizeof(sp));
	sp.argv = argv;
	sp.fd[0] = SPAWN_NULL;
	sp.fd[1] = sp.fd[2] = fds[1] != -1 ? fds[1] : SPAWN_NULL;
	sp.setup = local_child_setup;
	sp.arg = (void *)(uintptr_t)as;
	sp.say = true;
	if ((pid = spawn_start(&sp, errp)) == -1)
		goto out;
	if (fds[1] != -1) {
		close(fds[1]);
		fds[1] = -1;
		/* What it said until then is all there is to show. */
		(void)fileio_read_all(fds[0], &out, 0);
	}
	if (spawn_wait(pid, &wstatus) == -1) {
		*errp = xasprintf("could not wait for %s: %s", argv[0],
		    strerror(errno));
		goto out;
	}
	if (WIFEXITED(wstatus))
		*status = WEXITSTATUS(wstatus);
	else
		*status = 128 + WTERMSIG(wstatus);
	if (output != NULL) {
		if (out.len > LOCAL_OUTPUT_MAX)
			*output = xstrdup(out.buf + out.len -
			    LOCAL_OUTPUT_MAX);
		else
			*output = strbuf_detach(&out);
	}
	rc = 0;
out:
	if (fds[0] != -1)
		close(fds[0]);
	if (fds[1] != -1)
		close(fds[1]);
	strbuf_free(&out);
	return rc;
}

bool
local_user_can_use(const char *dir, const struct local_user *as)
{
	pid_t	 pid;
	int	 wstatus;

	if (as == NULL || as->uid == geteuid())
		return access(dir, R_OK | W_OK | X_OK) == 0;
	if ((pid = fork()) == -1)
		return false;
	if (pid == 0) {
		if (local_become(as) == -1)
			_exit(2);
		_exit(access(dir, R_OK | W_OK | X_OK) == 0 ? 0 : 1);
	}
	if (spawn_wait(pid, &wstatus) == -1)
		return false;
	return WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
}

int
local_dir_trusted(const struct local_paths *lp, uid_t server, char **errp)
{
	struct stat	 st;
	char		*why, *parent;

	parent = trust_dirname(lp->dir);
	if (stat(parent, &st) == 0 && (why = trust_dir(&st)) != NULL) {
		*errp = xasprintf("refusing --dir \"%s\": its directory "
		    "\"%s\" is %s: others can replace it", lp->dir, parent,
		    why);
		free(why);
		free(parent);
		return -1;
	}
	free(parent);
	if (stat(lp->dir, &st) == -1)
		return 0;	/* made by us, mode 0700 */
	if ((why = trust_private(&st, server)) != NULL) {
		*errp = xasprintf("refusing --dir \"%s\": %s", lp->dir, why);
		free(why);
		return -1;
	}
	return 0;
}

bool
local_initialised(const struct local_paths *lp)
{
	char	*path;
	bool	 yes;

	path = xasprintf("%s/PG_VERSION", lp->data);
	yes = access(path, F_OK) == 0;
	free(path);
	return yes;
}

/* Return the first line of path (caller frees), or NULL. */
static char *
local_first_line(const char *path)
{
	FILE	*f;
	char	 line[256];

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (fgets(line, sizeof(line), f) == NULL) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	return xstrdup(line);
}

bool
local_is_ours(const char *data)
{
	FILE	*f;
	char	*path, line[1024];
	bool	 yes = false;

	path = xasprintf("%s/postgresql.conf", data);
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			if (strncmp(line, LOCAL_CONF_MARK,
			    strlen(LOCAL_CONF_MARK)) == 0) {
				yes = true;
				break;
			}
		}
		fclose(f);
	}
	free(path);
	return yes;
}

char *
local_dir_of_host(const char *host)
{
	char	*dir, *data;
	size_t	 len;
	bool	 ours;

	if (host == NULL || host[0] != '/' || strchr(host, ',') != NULL)
		return NULL;
	len = strlen(host);
	while (len > 1 && host[len - 1] == '/')
		len--;
	if (len < 5 || strncmp(host + len - 4, "/run", 4) != 0)
		return NULL;
	dir = xstrndup(host, len - 4);
	data = xasprintf("%s/data", dir);
	ours = local_is_ours(data);
	free(data);
	if (!ours) {
		free(dir);
		return NULL;
	}
	return dir;
}

char *
local_pg_version(const char *data)
{
	char	*path, *v;

	path = xasprintf("%s/PG_VERSION", data);
	v = local_first_line(path);
	free(path);
	return v;
}

pid_t
local_server_pid(const struct local_paths *lp)
{
	const char	*errstr;
	char		*path, *line;
	long long	 pid;

	path = xasprintf("%s/postmaster.pid", lp->data);
	line = local_first_line(path);
	free(path);
	if (line == NULL)
		return 0;
	pid = strtonum(line, 1, INT_MAX, &errstr);
	free(line);
	if (errstr != NULL)
		return 0;
	/* As pg_ctl status does: the pid file may outlive its server. */
	if (kill((pid_t)pid, 0) == -1 && errno != EPERM)
		return 0;
	return (pid_t)pid;
}

/* Append s to sb as a postgresql.conf string literal. */
static void
local_conf_quote(struct strbuf *sb, const char *s)
{
	strbuf_addc(sb, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'' || *s == '\\')
			strbuf_addc(sb, *s);
		strbuf_addc(sb, *s);
	}
	strbuf_addc(sb, '\'');
}

/* Append s to sb as a pg_hba.conf/pg_ident.conf token. */
static void
local_hba_quote(struct strbuf *sb, const char *s)
{
	strbuf_addc(sb, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			strbuf_addc(sb, '"');
		strbuf_addc(sb, *s);
	}
	strbuf_addc(sb, '"');
}

/* Write text into path (an existing file keeps its owner): O_APPEND or
 * O_TRUNC in flags. */
static int
local_put(const char *path, const char *text, int flags, char **errp)
{
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    flags, 0600)) == -1) {
		*errp = xasprintf("could not open \"%s\": %s", path,
		    strerror(errno));
		return -1;
	}
	if (fileio_write_all(fd, text, strlen(text)) == -1) {
		*errp = xasprintf("could not write \"%s\": %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		*errp = xasprintf("could not write \"%s\": %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
local_configure(const struct local_paths *lp, const char *data,
    const char *const *osusers, size_t n, char **errp)
{
	struct strbuf	 conf = STRBUF_INIT, hba = STRBUF_INIT;
	struct strbuf	 ident = STRBUF_INIT;
	char		*path = NULL;
	size_t		 i;
	int		 rc = -1;

	strbuf_add(&conf, "\n" LOCAL_CONF_MARK " a private server, reached "
	    "through its Unix socket only\n");
	strbuf_add(&conf, "listen_addresses = ''\n");
	strbuf_add(&conf, "port = " LOCAL_PORT "\n");
	strbuf_add(&conf, "unix_socket_directories = ");
	local_conf_quote(&conf, lp->sockdir);
	strbuf_add(&conf, "\nunix_socket_permissions = 0700\n");
	strbuf_add(&conf, "log_line_prefix = '%m [%p] '\n");
	/* Loaded once by the postmaster, not by every new session: every
	 * runjob's claim is a session's first plpgsql call (0.6 ms each). */
	strbuf_add(&conf, "shared_preload_libraries = 'plpgsql'\n");

	strbuf_add(&hba,
	    "# dataflow local: Unix socket connections only, authenticated by\n"
	    "# the operating system user (peer), who must be listed in\n"
	    "# pg_ident.conf under the map \"dataflow\".\n"
	    "# TYPE\tDATABASE\tUSER\tMETHOD\n"
	    "local\tall\t\tall\tpeer map=dataflow\n");
	strbuf_add(&ident,
	    "# dataflow local: the operating system users who may connect,\n"
	    "# and as which database role.\n"
	    "# MAPNAME\tSYSTEM-USERNAME\tPG-USERNAME\n");
	for (i = 0; i < n; i++) {
		strbuf_add(&ident, "dataflow\t");
		local_hba_quote(&ident, osusers[i]);
		strbuf_add(&ident, "\t" LOCAL_ROLE "\n");
		strbuf_add(&ident, "dataflow\t");
		local_hba_quote(&ident, osusers[i]);
		strbuf_add(&ident, "\t" LOCAL_SUPERUSER "\n");
	}

	path = xasprintf("%s/postgresql.conf", data);
	if (local_put(path, conf.buf, O_APPEND, errp) == -1)
		goto out;
	free(path);
	path = xasprintf("%s/pg_hba.conf", data);
	if (local_put(path, hba.buf, O_TRUNC, errp) == -1)
		goto out;
	free(path);
	path = xasprintf("%s/pg_ident.conf", data);
	if (local_put(path, ident.buf, O_TRUNC, errp) == -1)
		goto out;
	rc = 0;
out:
	free(path);
	strbuf_free(&conf);
	strbuf_free(&hba);
	strbuf_free(&ident);
	return rc;
}

/* Append s percent-encoded, keeping what a URI path may hold as it is. */
static void
local_pct(struct strbuf *sb, const char *s)
{
	static const char	 safe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-._~/";

	for (; *s != '\0'; s++) {
		if (strchr(safe, *s) != NULL)
			strbuf_addc(sb, *s);
		else
			strbuf_addf(sb, "%%%02X", (unsigned char)*s);
	}
}

char *
local_url(const struct local_paths *lp, const char *dbname)
{
	struct strbuf	 sb = STRBUF_INIT;

	strbuf_add(&sb, "postgresql:///");
	local_pct(&sb, dbname);
	strbuf_add(&sb, "?host=");
	local_pct(&sb, lp->sockdir);
	strbuf_add(&sb, "&port=" LOCAL_PORT);
	return strbuf_detach(&sb);
}

char *
local_properties_text(const struct local_paths *lp)
{
	char	*url, *text;

	url = local_url(lp, LOCAL_DATABASE);
	text = xasprintf(
	    "# dataflow.properties of the private PostgreSQL in %s,\n"
	    "# written by \"dataflow local init\" (see dataflow(1)).\n"
	    "url=%s\n"
	    "user=" LOCAL_ROLE "\n",
	    lp->dir, url);
	free(url);
	return text;
}

int
local_write_file(const char *path, const char *text, bool replace,
    char **errp)
{
	int	 rc;

	if (!replace) {
		if (access(path, F_OK) == 0) {
			*errp = xasprintf("\"%s\" exists", path);
			return -1;
		}
		if ((rc = local_put(path, text, O_EXCL, errp)) == 0 &&
		    chmod(path, 0644) == -1) {
			*errp = xasprintf("could not chmod \"%s\": %s", path,
			    strerror(errno));
			rc = -1;
		}
		return rc;
	}
	return fileio_write_atomic(path, text, strlen(text), 0644, errp);
}

static int
local_remove_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP ? rmdir(path) : unlink(path))
		return errno;
	return 0;
}

int
local_remove_tree(const char *path, char **errp)
{
	int	 e;

	if ((e = nftw(path, local_remove_one, 32, FTW_DEPTH | FTW_PHYS)) !=
	    0) {
		*errp = xasprintf("could not remove \"%s\": %s", path,
		    strerror(e > 0 ? e : errno));
		return -1;
	}
	return 0;
}
