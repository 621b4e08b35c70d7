/* cmd_local.c: "dataflow local": a private PostgreSQL for single-host use,
 * set up with dataflow's database and a properties file RunJob finds. */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "fileio.h"
#include "local.h"
#include "properties.h"
#include "schema.h"
#include "settings.h"
#include "xmalloc.h"

#define LOCAL_WAIT	"120"	/* seconds pg_ctl waits for start or stop */

static const char database_exists_sql[] =
    "SELECT 1 FROM pg_database WHERE datname = $1";

static const char role_super_sql[] =
    "SELECT rolsuper FROM pg_roles WHERE rolname = $1";

/* CREATE ROLE and DATABASE take no parameters; the names are constants.
 * The programs' role may log in and own its database, nothing more. */
static const char create_role_sql[] =
    "CREATE ROLE " LOCAL_ROLE " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE";
static const char create_database_sql[] =
    "CREATE DATABASE " LOCAL_DATABASE " OWNER " LOCAL_ROLE;

struct local_ctx {
	struct global_opts	*g;
	struct local_paths	 lp;
	bool			 explicit_dir;	/* --dir given */
	bool			 force;		/* --force */
	const char		*user;		/* --user */
	struct local_user	 owner;		/* runs the server */
	char			*bindir;
};

/* Say what happened, unless -q. */
static void
local_say(const struct local_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
local_say(const struct local_ctx *c, const char *fmt, ...)
{
	va_list	 ap;

	if (c->g->verbosity == 0)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Print the last lines of a child's output, one warning each. */
static void
local_show_output(const char *output)
{
	char	*copy, *line, *save;
	size_t	 n = 0, i = 0;

	if (output == NULL)
		return;
	copy = xstrdup(output);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		n++;
	free(copy);
	copy = xstrdup(output);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (i++ + 12 >= n)
			warnx("  %s", line);
	free(copy);
}

/* Run a PostgreSQL program of bindir as the cluster's owner. */
static int
local_pg(struct local_ctx *c, const char *what, const char *const *argv)
{
	char	*output = NULL, *errmsg = NULL;
	int	 status;

	if (local_spawn(argv, &c->owner, &output, &status, &errmsg) == -1) {
		warnx("%s", errmsg);
		free(errmsg);
		return -1;
	}
	if (status != 0) {
		warnx("could not %s (%s exited %d):", what, argv[0], status);
		local_show_output(output);
		free(output);
		return -1;
	}
	free(output);
	return 0;
}

/* The server user for root: --user, or "dataflow", created if missing. */
static int
local_system_user(struct local_ctx *c)
{
	static const char *const useradd[] = {
	    "/usr/sbin/useradd", "/sbin/useradd"
	};
	const char	*name = c->user != NULL ? c->user : LOCAL_OSUSER;
	const char	*argv[12];
	char		*errmsg = NULL, *output = NULL;
	size_t		 i;
	int		 status;

	if (local_user_lookup(name, &c->owner, &errmsg) == 0) {
		free(errmsg);
		return 0;
	}
	free(errmsg);
	errmsg = NULL;
	if (c->user != NULL) {
		warnx("no user \"%s\" to run PostgreSQL as", name);
		return -1;
	}
	/* PostgreSQL refuses to run as root: it needs an unprivileged
	 * owner. A system user with no home and no login shell. */
	for (i = 0; i < sizeof(useradd) / sizeof(useradd[0]); i++)
		if (access(useradd[i], X_OK) == 0)
			break;
	if (i == sizeof(useradd) / sizeof(useradd[0])) {
		warnx("no user \"%s\" to run PostgreSQL as, and no useradd to "
		    "create it: create a system user, or name one with --user",
		    name);
		return -1;
	}
	argv[0] = useradd[i];
	argv[1] = "--system";
	argv[2] = "--user-group";
	argv[3] = "--no-create-home";
	argv[4] = "--home-dir";
	argv[5] = "/nonexistent";
	argv[6] = "--shell";
	argv[7] = "/usr/sbin/nologin";
	argv[8] = "--comment";
	argv[9] = "dataflow local PostgreSQL";
	argv[10] = name;
	argv[11] = NULL;
	if (local_spawn(argv, NULL, &output, &status, &errmsg) == -1) {
		warnx("%s", errmsg);
		free(errmsg);
		return -1;
	}
	/* A concurrent init may have created it first: look again. */
	if (local_user_lookup(name, &c->owner, &errmsg) == -1) {
		warnx("could not create user \"%s\" to run PostgreSQL as:",
		    name);
		local_show_output(output);
		free(output);
		free(errmsg);
		return -1;
	}
	free(output);
	if (status == 0)
		local_say(c, "created system user \"%s\" to run PostgreSQL",
		    name);
	return 0;
}

/*
 * The owner of an existing cluster, who runs its server: we, or as root
 * whoever owns the data directory.
 */
static int
local_find_owner(struct local_ctx *c)
{
	char	*errmsg = NULL;

	if (local_user_of(c->lp.data, &c->owner, &errmsg) == -1) {
		warnx("%s", errmsg);
		free(errmsg);
		return -1;
	}
	if (geteuid() != 0 && c->owner.uid != geteuid()) {
		warnx("the cluster in \"%s\" belongs to user \"%s\": run this "
		    "as that user (or root)", c->lp.dir, c->owner.name);
		return -1;
	}
	if (c->owner.uid == 0) {
		warnx("the cluster in \"%s\" belongs to root, and PostgreSQL "
		    "does not run as root", c->lp.dir);
		return -1;
	}
	return 0;
}

/* Find the server binaries, of the cluster's version when there is one. */
static int
local_bindir(struct local_ctx *c)
{
	char	*major, *errmsg = NULL;

	if (c->bindir != NULL)
		return 0;
	major = local_pg_version(c->lp.data);
	c->bindir = local_find_bindir(major, &errmsg);
	free(major);
	if (c->bindir == NULL) {
		warnx("%s", errmsg);
		free(errmsg);
		return -1;
	}
	return 0;
}

/* A directory the server user owns (as root: handed over to it). */
static int
local_owned_dir(struct local_ctx *c, const char *path)
{
	char	*errmsg = NULL;
	int	 made;

	if ((made = fileio_mkdir_p(path, 0700, 0755, &errmsg)) == -1) {
		warnx("%s", errmsg);
		free(errmsg);
		return -1;
	}
	if (made == 1 && c->owner.uid != geteuid() &&
	    chown(path, c->owner.uid, c->owner.gid) == -1) {
		warnx("could not give \"%s\" to user \"%s\": %s", path,
		    c->owner.name, strerror(errno));
		return -1;
	}
	return made;
}

/* Return whether directory path has no entries (false if unreadable). */
static bool
local_dir_empty(const char *path)
{
	struct dirent	*de;
	DIR		*d;
	bool		 empty = true;

	if ((d = opendir(path)) == NULL)
		return false;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			empty = false;
			break;
		}
	}
	closedir(d);
	return empty;
}

static int
local_start(struct local_ctx *c)
{
	const char	*argv[12];
	char		*pgctl;
	pid_t		 pid;
	int		 rc;

	if ((pid = local_server_pid(&c->lp)) > 0) {
		local_say(c, "PostgreSQL is running (pid %ld), socket in %s",
		    (long)pid, c->lp.sockdir);
		return 0;
	}
	/* The socket's directory may have been cleaned away. */
	if (local_owned_dir(c, c->lp.sockdir) == -1 || local_bindir(c) == -1)
		return -1;
	argv[0] = pgctl = xasprintf("%s/pg_ctl", c->bindir);
	argv[1] = "start";
	argv[2] = "-w";
	argv[3] = "-t";
	argv[4] = LOCAL_WAIT;
	argv[5] = "-D";
	argv[6] = c->lp.data;
	argv[7] = "-l";
	argv[8] = c->lp.log;
	argv[9] = NULL;
	rc = local_pg(c, "start PostgreSQL", argv);
	free(pgctl);
	if (rc == -1) {
		warnx("see the server log \"%s\"", c->lp.log);
		return -1;
	}
	if ((pid = local_server_pid(&c->lp)) > 0)
		local_say(c, "PostgreSQL started (pid %ld), socket in %s",
		    (long)pid, c->lp.sockdir);
	return 0;
}

static int
local_stop(struct local_ctx *c)
{
	const char	*argv[10];
	char		*pgctl;
	int		 rc;

	if (local_server_pid(&c->lp) == 0) {
		local_say(c, "PostgreSQL in %s is not running", c->lp.dir);
		return 0;
	}
	if (local_bindir(c) == -1)
		return -1;
	argv[0] = pgctl = xasprintf("%s/pg_ctl", c->bindir);
	argv[1] = "stop";
	argv[2] = "-w";
	argv[3] = "-t";
	argv[4] = LOCAL_WAIT;
	argv[5] = "-m";
	argv[6] = "fast";
	argv[7] = "-D";
	argv[8] = c->lp.data;
	argv[9] = NULL;
	rc = local_pg(c, "stop PostgreSQL", argv);
	free(pgctl);
	if (rc == 0)
		local_say(c, "PostgreSQL in %s stopped", c->lp.dir);
	return rc;
}

/* Connect to database dbname of the cluster as role, as RunJob does. */
static struct db *
local_connect(struct local_ctx *c, const char *dbname, const char *role,
    struct db_error *e)
{
	struct properties	*p;
	struct settings		*s;
	struct db		*db;
	char			*url, *text, *errmsg = NULL;

	url = local_url(&c->lp, dbname);
	text = xasprintf("url=%s\nuser=%s\n", url, role);
	free(url);
	p = properties_parse(text, "dataflow local", &errmsg);
	free(text);
	s = p != NULL ? settings_from_properties(p, &errmsg) : NULL;
	properties_free(p);
	if (s == NULL) {
		/* Our own text: cannot happen unless the code is wrong. */
		e->kind = DB_ERR_CONNECT;
		e->message = errmsg;
		return NULL;
	}
	db = db_connect(s, NULL, "dataflow local", DB_SEARCH_PATH, e);
	settings_free(s);
	return db;
}

/*
 * Return whether role is a superuser (1), not (0), or -1 with *e; a role
 * that does not exist is 0 with *exists false.
 */
static int
local_role_super(struct db *db, const char *role, bool *exists,
    struct db_error *e)
{
	struct db_result	*r;
	const char		*p[1] = { role };
	const char		*v;
	int			 super;

	if ((r = db_query(db, role_super_sql, 1, p, e)) == NULL)
		return -1;
	*exists = db_rows(r) > 0;
	super = *exists && (v = db_value(r, 0, 0)) != NULL &&
	    strcmp(v, "t") == 0;
	db_result_free(r);
	return super;
}

/*
 * As the cluster's superuser: the programs' role and the schema's group
 * roles, and the database, owned by the programs' role (all idempotent).
 */
static int
local_roles_database(struct local_ctx *c, struct db *admin,
    struct db_error *e)
{
	struct db_result	*r;
	const char		*p[1] = { LOCAL_DATABASE };
	bool			 exists;

	if (local_role_super(admin, LOCAL_ROLE, &exists, e) == -1)
		return -1;
	if (!exists) {
		if (db_exec(admin, create_role_sql, 0, NULL, e) < 0 &&
		    strcmp(e->sqlstate, "42710") != 0)	/* a racing init */
			return -1;
		db_error_clear(e);
		local_say(c, "role \"%s\" created", LOCAL_ROLE);
	}
	if (schema_create_roles(admin, SETTINGS_DEFAULT_SCHEMA, e) == -1)
		return -1;
	if ((r = db_query(admin, database_exists_sql, 1, p, e)) == NULL)
		return -1;
	exists = db_rows(r) > 0;
	db_result_free(r);
	if (!exists) {
		if (db_exec(admin, create_database_sql, 0, NULL, e) < 0 &&
		    strcmp(e->sqlstate, "42P04") != 0)	/* a racing init */
			return -1;
		db_error_clear(e);
		local_say(c, "database \"%s\" created", LOCAL_DATABASE);
	}
	return 0;
}

/* Create the roles, the database and dataflow's schema (all idempotent). */
static int
local_database(struct local_ctx *c)
{
	struct db		*db;
	struct db_error		 e = { 0 };
	struct schema_init	 si = { 0 };
	bool			 exists;
	int			 rc = -1;

	if ((db = local_connect(c, "postgres", LOCAL_SUPERUSER, &e)) ==
	    NULL && e.kind == DB_ERR_AUTH) {
		/* A cluster of an older dataflow, whose programs' role is
		 * its superuser: it does all of it, warned about below. */
		db_error_clear(&e);
		db = local_connect(c, "postgres", LOCAL_ROLE, &e);
	}
	if (db == NULL || local_roles_database(c, db, &e) == -1)
		goto fail;
	db_close(db);
	if ((db = local_connect(c, LOCAL_DATABASE, LOCAL_ROLE, &e)) == NULL ||
	    schema_upgrade(db, SETTINGS_DEFAULT_SCHEMA, &si, &e) == -1)
		goto fail;
	if (si.from == 0)
		local_say(c, "schema \"%s\" created at version %d",
		    SETTINGS_DEFAULT_SCHEMA, si.to);
	else if (si.from != si.to)
		local_say(c, "schema \"%s\" upgraded from version %d to %d",
		    SETTINGS_DEFAULT_SCHEMA, si.from, si.to);
	else
		local_say(c, "schema \"%s\" is up to date (version %d)",
		    SETTINGS_DEFAULT_SCHEMA, si.to);
	if (local_role_super(db, LOCAL_ROLE, &exists, &e) == 1)
		warnx("role \"%s\" of this cluster is a superuser (an older "
		    "dataflow made it so): the programs run with every "
		    "right; a cluster made anew gives them an owner role",
		    LOCAL_ROLE);
	rc = 0;
	goto out;
fail:
	warnx("could not set up database \"%s\": %s", LOCAL_DATABASE,
	    e.message);
out:
	free(si.owner);
	db_error_clear(&e);
	db_close(db);
	return rc;
}

/* Where init writes the properties: DIR with --dir, else the XDG place. */
static char *
local_properties_path(const struct local_ctx *c)
{
	const char	*xdg, *home;

	if (c->explicit_dir)
		return xasprintf("%s/%s", c->lp.dir, LOCAL_PROPERTIES);
	if ((xdg = getenv("XDG_CONFIG_HOME")) != NULL && xdg[0] == '/')
		return xasprintf("%s/dataflow/%s", xdg, LOCAL_PROPERTIES);
	if ((home = getenv("HOME")) != NULL && home[0] == '/')
		return xasprintf("%s/.config/dataflow/%s", home,
		    LOCAL_PROPERTIES);
	return xasprintf("%s/%s", c->lp.dir, LOCAL_PROPERTIES);
}

/* Return the contents of path (caller frees), or NULL. */
static char *
local_slurp(const char *path)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 len = 0;
	ssize_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = getdelim(&buf, &len, '\0', f);
	fclose(f);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Write the properties file, never over another one without --force. */
static int
local_write_properties(struct local_ctx *c)
{
	char	*path, *slash, *text, *old, *found, *errmsg = NULL;
	char	 a[PATH_MAX], b[PATH_MAX];
	int	 rc = -1;

	path = local_properties_path(c);
	text = local_properties_text(&c->lp);
	old = local_slurp(path);
	if (old != NULL && strcmp(old, text) == 0)
		local_say(c, "%s is up to date", path);
	else if (old != NULL && !c->force) {
		warnx("kept \"%s\", which is not about this cluster: "
		    "--force replaces it", path);
	} else {
		slash = strrchr(path, '/');
		*slash = '\0';
		if (fileio_mkdir_p(path, 0700, 0755, &errmsg) == -1)
			goto fail;
		*slash = '/';
		if (local_write_file(path, text, old != NULL, &errmsg) == -1)
			goto fail;
		local_say(c, "%s %s", old != NULL ? "replaced" : "wrote",
		    path);
	}
	/* Say how RunJob finds it when something else comes first. */
	found = properties_find(NULL, &errmsg);
	free(errmsg);
	errmsg = NULL;
	if (found == NULL || realpath(found, a) == NULL ||
	    realpath(path, b) == NULL || strcmp(a, b) != 0)
		local_say(c, "to use it: export DATAFLOW_PROPERTIES=%s", path);
	free(found);
	rc = 0;
	goto out;
fail:
	warnx("%s", errmsg);
	free(errmsg);
out:
	free(old);
	free(text);
	free(path);
	return rc;
}

/* Create the cluster in DIR/data, unless there is one. */
static int
local_create(struct local_ctx *c)
{
	const char	*argv[14], *users[2];
	char		*tmp = NULL, *major = NULL, *errmsg = NULL, *initdb;
	size_t		 nusers = 0;
	struct local_user self;
	int		 rc = -1;

	memset(&self, 0, sizeof(self));
	if (access(c->lp.data, F_OK) == 0) {
		if (!local_dir_empty(c->lp.data)) {
			warnx("\"%s\" exists but holds no PostgreSQL cluster: "
			    "remove it, or choose another --dir", c->lp.data);
			return -1;
		}
		if (rmdir(c->lp.data) == -1) {
			warnx("could not remove \"%s\": %s", c->lp.data,
			    strerror(errno));
			return -1;
		}
	}
	if (local_bindir(c) == -1)
		return -1;
	/* Built aside and renamed into place: a cluster at DIR/data is
	 * always complete, even if an init was interrupted. */
	tmp = xasprintf("%s.init", c->lp.data);
	if (access(tmp, F_OK) == 0 && local_remove_tree(tmp, &errmsg) == -1)
		goto fail;
	argv[0] = initdb = xasprintf("%s/initdb", c->bindir);
	argv[1] = "-D";
	argv[2] = tmp;
	argv[3] = "-U";
	argv[4] = LOCAL_SUPERUSER;
	argv[5] = "-E";
	argv[6] = "UTF8";
	argv[7] = "--locale=C";
	argv[8] = "--auth-local=peer";
	argv[9] = "--auth-host=scram-sha-256";
	argv[10] = NULL;
	rc = local_pg(c, "create a PostgreSQL cluster", argv);
	free(initdb);
	if (rc == -1)
		goto out;
	rc = -1;
	if (local_user_self(&self, &errmsg) == -1)
		goto fail;
	users[nusers++] = self.name;
	if (c->owner.uid != self.uid)
		users[nusers++] = c->owner.name;
	if (local_configure(&c->lp, tmp, users, nusers, &errmsg) == -1)
		goto fail;
	if (rename(tmp, c->lp.data) == -1) {
		errmsg = xasprintf("could not rename \"%s\": %s", tmp,
		    strerror(errno));
		goto fail;
	}
	major = local_pg_version(c->lp.data);
	local_say(c, "created a PostgreSQL %s cluster in %s (run by %s)",
	    major != NULL ? major : "", c->lp.dir, c->owner.name);
	rc = 0;
	goto out;
fail:
	warnx("%s", errmsg);
	free(errmsg);
out:
	local_user_clear(&self);
	free(major);
	free(tmp);
	return rc;
}

static int
local_init(struct local_ctx *c)
{
	char	*errmsg = NULL;
	bool	 exists;
	int	 made, fd = -1, status = EXIT_FAIL;

	exists = local_initialised(&c->lp);
	if (exists) {
		if (!local_is_ours(c->lp.data)) {
			warnx("\"%s\" holds a PostgreSQL cluster that "
			    "\"dataflow local\" did not create", c->lp.data);
			return EXIT_CONFIG;
		}
		if (local_find_owner(c) == -1)
			return EXIT_CONFIG;
		if (c->user != NULL && strcmp(c->user, c->owner.name) != 0)
			warnx("--user %s ignored: the cluster exists, run by "
			    "%s", c->user, c->owner.name);
	} else if (geteuid() == 0) {
		if (local_system_user(c) == -1)
			return EXIT_CONFIG;
		if (c->owner.uid == 0) {
			warnx("PostgreSQL does not run as root: --user must "
			    "name another user");
			return EXIT_CONFIG;
		}
	} else {
		if (c->user != NULL) {
			warnx("--user needs root: the server runs as you");
			return EXIT_USAGE;
		}
		if (local_user_self(&c->owner, &errmsg) == -1) {
			warnx("%s", errmsg);
			free(errmsg);
			return EXIT_CONFIG;
		}
	}
	if (local_dir_trusted(&c->lp, c->owner.uid, &errmsg) == -1) {
		warnx("%s", errmsg);
		free(errmsg);
		return EXIT_CONFIG;
	}
	if ((made = local_owned_dir(c, c->lp.dir)) == -1)
		return EXIT_CONFIG;
	/* An empty directory made for us by someone else is ours too. */
	if (made == 0 && !exists && c->owner.uid != geteuid() &&
	    local_dir_empty(c->lp.dir) &&
	    chown(c->lp.dir, c->owner.uid, c->owner.gid) == -1) {
		warnx("could not give \"%s\" to user \"%s\": %s", c->lp.dir,
		    c->owner.name, strerror(errno));
		return EXIT_CONFIG;
	}
	if (!local_user_can_use(c->lp.dir, &c->owner)) {
		warnx("user \"%s\", who runs PostgreSQL, cannot use \"%s\" "
		    "(it or a parent directory is closed to it): choose "
		    "another --dir", c->owner.name, c->lp.dir);
		return EXIT_CONFIG;
	}
	/* Concurrent inits of one directory take turns. */
	if ((fd = open(c->lp.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || flock(fd, LOCK_EX) == -1) {
		warnx("could not lock \"%s\": %s", c->lp.dir, strerror(errno));
		goto out;
	}
	if (!local_initialised(&c->lp)) {
		if (local_create(c) == -1)
			goto out;
	} else
		local_say(c, "PostgreSQL cluster in %s exists", c->lp.dir);
	if (local_start(c) == -1 || local_database(c) == -1 ||
	    local_write_properties(c) == -1)
		goto out;
	status = EXIT_OK;
out:
	if (fd != -1)
		close(fd);
	return status;
}

static int
local_status(struct local_ctx *c)
{
	char	*version, *props;
	pid_t	 pid = 0;
	json_t	*o;
	int	 status;

	if (!local_initialised(&c->lp)) {
		if (c->g->json) {
			o = json_pack("{s:s, s:s}", "state", "none",
			    "dir", c->lp.dir);
			json_dumpf(o, stdout, JSON_INDENT(2));
			fputc('\n', stdout);
			json_decref(o);
		} else
			printf("no cluster in %s (dataflow local init makes "
			    "one)\n", c->lp.dir);
		return EXIT_LOCAL_NONE;
	}
	pid = local_server_pid(&c->lp);
	status = pid > 0 ? EXIT_OK : EXIT_LOCAL_STOPPED;
	version = local_pg_version(c->lp.data);
	props = local_properties_path(c);
	if (access(props, F_OK) == -1) {
		free(props);
		props = NULL;
	}
	if (c->g->json) {
		o = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?}",
		    "state", pid > 0 ? "running" : "stopped",
		    "dir", c->lp.dir, "data", c->lp.data,
		    "socket", c->lp.sockdir, "version", version,
		    "properties", props);
		if (pid > 0)
			json_object_set_new(o, "pid", json_integer(pid));
		json_dumpf(o, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(o);
	} else {
		if (pid > 0)
			printf("running (pid %ld)\n", (long)pid);
		else
			printf("stopped\n");
		printf("  directory:   %s\n", c->lp.dir);
		printf("  socket:      %s\n", c->lp.sockdir);
		printf("  server log:  %s\n", c->lp.log);
		printf("  PostgreSQL:  %s\n", version != NULL ? version : "?");
		printf("  properties:  %s\n", props != NULL ? props :
		    "(none)");
	}
	free(version);
	free(props);
	return status;
}

/*
 * The cluster directory of the properties dataflow would use (--config,
 * DATAFLOW_PROPERTIES, ...) when they point at a cluster of ours (caller
 * frees), else NULL: status, start and stop then find the one they name.
 */
static char *
local_dir_of_properties(const struct global_opts *g)
{
	struct properties	*p;
	struct settings		*s;
	char			*path, *host, *dir = NULL, *errmsg = NULL;

	if ((path = properties_find(g->config, &errmsg)) == NULL) {
		free(errmsg);
		return NULL;
	}
	p = properties_load(path, &errmsg);
	free(path);
	s = p != NULL ? settings_from_properties(p, &errmsg) : NULL;
	properties_free(p);
	free(errmsg);
	if (s != NULL && (host = db_setting(s, "host")) != NULL) {
		dir = local_dir_of_host(host);
		free(host);
	}
	settings_free(s);
	return dir;
}

static int
cmd_local_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_DIR = 256, OPT_FORCE, OPT_USER };
	static const struct option longopts[] = {
		{ "dir",	required_argument,	NULL, OPT_DIR },
		{ "force",	no_argument,		NULL, OPT_FORCE },
		{ "user",	required_argument,	NULL, OPT_USER },
		{ NULL,		0,			NULL, 0 }
	};
	struct local_ctx c;
	const char	*dir = NULL, *action;
	char		*defdir = NULL, *errmsg = NULL;
	int		 ch, status = EXIT_USAGE;

	memset(&c, 0, sizeof(c));
	c.g = g;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_DIR:
			dir = optarg;
			break;
		case OPT_FORCE:
			c.force = true;
			break;
		case OPT_USER:
			c.user = optarg;
			break;
		default:
			return cmd_usage(&cmd_local_entry);
		}
	}
	if (argc - optind != 1)
		return cmd_usage(&cmd_local_entry);
	action = argv[optind];
	if (strcmp(action, "init") != 0 && (c.force || c.user != NULL)) {
		warnx("--force and --user are options of \"local init\"");
		return cmd_usage(&cmd_local_entry);
	}
	if (dir != NULL && *dir == '\0') {
		warnx("--dir needs a directory");
		return EXIT_USAGE;
	}
	c.explicit_dir = dir != NULL;
	if (dir == NULL && strcmp(action, "init") != 0)
		dir = defdir = local_dir_of_properties(g);
	if (dir == NULL && (dir = defdir = local_default_dir(&errmsg)) ==
	    NULL) {
		warnx("%s", errmsg);
		free(errmsg);
		return EXIT_CONFIG;
	}
	if (local_paths_init(&c.lp, dir, &errmsg) == -1) {
		warnx("%s", errmsg);
		free(errmsg);
		free(defdir);
		return EXIT_CONFIG;
	}
	/* A cluster we may not look into is not "no cluster". */
	if (access(c.lp.data, X_OK) == -1 && errno == EACCES) {
		warnx("cannot look into \"%s\": %s (run this as its owner or "
		    "root)", c.lp.data, strerror(errno));
		status = EXIT_CONFIG;
	} else if (strcmp(action, "init") == 0)
		status = local_init(&c);
	else if (strcmp(action, "status") == 0)
		status = local_status(&c);
	else if (strcmp(action, "start") == 0 || strcmp(action, "stop") ==
	    0) {
		if (!local_initialised(&c.lp)) {
			warnx("no cluster in \"%s\": dataflow local init makes "
			    "one", c.lp.dir);
			status = EXIT_CONFIG;
		} else if (!local_is_ours(c.lp.data)) {
			warnx("\"%s\" holds a PostgreSQL cluster that "
			    "\"dataflow local\" did not create", c.lp.data);
			status = EXIT_CONFIG;
		} else if (local_find_owner(&c) == -1 ||
		    (action[2] == 'a' &&	/* stopping is always safe */
		    local_dir_trusted(&c.lp, c.owner.uid, &errmsg) == -1)) {
			if (errmsg != NULL)
				warnx("%s", errmsg);
			free(errmsg);
			status = EXIT_CONFIG;
		} else if ((action[2] == 'a' ? local_start(&c) :
		    local_stop(&c)) == -1)
			status = EXIT_FAIL;
		else
			status = EXIT_OK;
	} else {
		warnx("unknown action \"%s\" (init, start, stop or status)",
		    action);
		status = cmd_usage(&cmd_local_entry);
	}
	local_paths_clear(&c.lp);
	local_user_clear(&c.owner);
	free(c.bindir);
	free(defdir);
	return status;
}

const struct cmd_entry cmd_local_entry = {
	"local", "init|start|stop|status [--dir DIR] [--force] [--user NAME]",
	"a private PostgreSQL for single-host use", cmd_local_exec
};
