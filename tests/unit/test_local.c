/* test_local.c: unit tests for lib/local.c, the files of "dataflow local":
 * its paths and URL (data/local_paths.tsv), the configuration it writes,
 * what it reads back from a cluster, and running a program as a user. */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fileio.h"
#include "local.h"
#include "strbuf.h"
#include "tmpdir.h"
#include "tsv.h"
#include "xmalloc.h"

#define NOBODY	65534	/* who a root test becomes to be refused */
#define RELDIR	"/usr"	/* where relative --dir cases start from */

static void
put(const char *dir, const char *name, const char *text)
{
	char	*path = xasprintf("%s/%s", dir, name), *err = NULL;

	assert_int_equal(fileio_write_atomic(path, text, strlen(text), 0644,
	    &err), 0);
	free(path);
}

/* Return the contents of dir/name (caller frees). */
static char *
get(const char *dir, const char *name)
{
	struct strbuf	 sb = STRBUF_INIT;
	char		*path = xasprintf("%s/%s", dir, name);
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(fileio_read_all(fd, &sb, 0), 0);
	close(fd);
	free(path);
	return strbuf_detach(&sb);
}

/* Run fn in a child that is nobody (when we are root); assert it passed. */
static void
as_nobody(int (*fn)(void))
{
	pid_t	 pid;
	int	 st;

	if ((pid = fork()) == 0) {
		if (geteuid() == 0 && (setgid(NOBODY) == -1 ||
		    setuid(NOBODY) == -1))
			_exit(2);
		_exit(fn());
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* One line of local_paths.tsv: --dir, the directory or !error, and the
 * URL of a database. */
static void
test_table(void **state)
{
	const struct tcase	*c = *state;
	struct local_paths	 lp;
	char			*err = NULL, *want, *url;

	assert_int_equal(chdir(RELDIR), 0);
	if (c->f[1][0] == '!') {
		assert_int_equal(local_paths_init(&lp, c->f[0], &err), -1);
		assert_non_null(strstr(err, c->f[1] + 1));
		assert_null(lp.dir);
		free(err);
		return;
	}
	assert_true(c->nf >= 4);
	assert_int_equal(local_paths_init(&lp, c->f[0], &err), 0);
	assert_string_equal(lp.dir, c->f[1]);
	want = xasprintf("%s/data", lp.dir);
	assert_string_equal(lp.data, want);
	free(want);
	want = xasprintf("%s/run", lp.dir);
	assert_string_equal(lp.sockdir, want);
	free(want);
	want = xasprintf("%s/.s.PGSQL.%s", lp.sockdir, LOCAL_PORT);
	assert_string_equal(lp.socket, want);
	free(want);
	want = xasprintf("%s/postgresql.log", lp.dir);
	assert_string_equal(lp.log, want);
	free(want);
	url = local_url(&lp, c->f[2]);
	assert_string_equal(url, c->f[3]);
	free(url);
	local_paths_clear(&lp);
	local_paths_clear(&lp);
}

static int
default_dir_user(void)
{
	char	*dir, *err = NULL;
	int	 ok;

	setenv("XDG_DATA_HOME", "/xdg", 1);
	setenv("HOME", "/home/u", 1);
	dir = local_default_dir(&err);
	ok = dir != NULL && strcmp(dir, "/xdg/dataflow/pg") == 0;
	free(dir);
	/* A relative XDG_DATA_HOME is ignored, as the spec says. */
	setenv("XDG_DATA_HOME", "rel", 1);
	dir = local_default_dir(&err);
	ok = ok && dir != NULL &&
	    strcmp(dir, "/home/u/.local/share/dataflow/pg") == 0;
	free(dir);
	unsetenv("XDG_DATA_HOME");
	setenv("HOME", "rel", 1);
	dir = local_default_dir(&err);
	ok = ok && dir == NULL && err != NULL &&
	    strstr(err, "no home directory") != NULL;
	free(err);
	return ok ? 0 : 1;
}

/* Root's cluster is a system one; a user's lives in its XDG data home. */
static void
test_default_dir(void **state)
{
	char	*dir, *err = NULL;

	(void)state;
	if (geteuid() == 0) {
		dir = local_default_dir(&err);
		assert_string_equal(dir, LOCAL_SYSTEM_DIR);
		free(dir);
	}
	as_nobody(default_dir_user);
}

static void
test_properties_text(void **state)
{
	struct local_paths	 lp;
	char			*text, *err = NULL;

	(void)state;
	assert_int_equal(local_paths_init(&lp, "/srv/my pg", &err), 0);
	text = local_properties_text(&lp);
	assert_string_equal(text,
	    "# dataflow.properties of the private PostgreSQL in /srv/my pg,\n"
	    "# written by \"dataflow local init\" (see dataflow(1)).\n"
	    "url=postgresql:///dataflow?host=/srv/my%20pg/run&port=5432\n"
	    "user=dataflow\n");
	free(text);
	local_paths_clear(&lp);
}

/* What init adds to postgresql.conf and writes as pg_hba.conf and
 * pg_ident.conf, quoted for each: a socket directory and user names with
 * the characters that need it. */
static void
test_configure(void **state)
{
	const char *const	 users[] = { "alice", "we\"ird" };
	struct local_paths	 lp;
	char			*data, *got, *err = NULL;

	(void)state;
	data = tmpdir_new("test_local");
	put(data, "postgresql.conf", "# initdb's\n");
	put(data, "pg_hba.conf", "host all all 0.0.0.0/0 trust\n");
	assert_false(local_is_ours(data));
	assert_int_equal(local_paths_init(&lp, "/srv/it's\\pg", &err), 0);
	assert_int_equal(local_configure(&lp, data, users, 2, &err), 0);
	got = get(data, "postgresql.conf");
	assert_string_equal(got, "# initdb's\n"
	    "\n" LOCAL_CONF_MARK " a private server, reached through its "
	    "Unix socket only\n"
	    "listen_addresses = ''\n"
	    "port = 5432\n"
	    "unix_socket_directories = '/srv/it''s\\\\pg/run'\n"
	    "unix_socket_permissions = 0700\n"
	    "log_line_prefix = '%m [%p] '\n"
	    "shared_preload_libraries = 'plpgsql'\n");
	free(got);
	got = get(data, "pg_hba.conf");
	assert_null(strstr(got, "trust"));
	assert_non_null(strstr(got, "\nlocal\tall\t\tall\tpeer map=dataflow\n"));
	free(got);
	got = get(data, "pg_ident.conf");
	assert_non_null(strstr(got, "\n# MAPNAME\tSYSTEM-USERNAME\t"
	    "PG-USERNAME\n"
	    "dataflow\t\"alice\"\tdataflow\n"
	    "dataflow\t\"alice\"\tpostgres\n"
	    "dataflow\t\"we\"\"ird\"\tdataflow\n"
	    "dataflow\t\"we\"\"ird\"\tpostgres\n"));
	free(got);
	assert_true(local_is_ours(data));
	local_paths_clear(&lp);
	/* No directory to write to. */
	assert_int_equal(local_paths_init(&lp, "/srv/pg", &err), 0);
	assert_int_equal(local_configure(&lp, "/nonexistent/data", users, 1,
	    &err), -1);
	assert_non_null(strstr(err, "could not open \"/nonexistent/data/"
	    "postgresql.conf\""));
	free(err);
	local_paths_clear(&lp);
	tmpdir_remove(data);
}

/* PG_VERSION and postmaster.pid, as a cluster leaves them. */
static void
test_cluster_files(void **state)
{
	struct local_paths	 lp;
	char			*dir, *v, *pid, *err = NULL;

	(void)state;
	dir = tmpdir_new("test_local");
	assert_int_equal(local_paths_init(&lp, dir, &err), 0);
	assert_false(local_initialised(&lp));
	assert_null(local_pg_version(lp.data));
	assert_false(local_is_ours(lp.data));
	assert_int_equal(local_server_pid(&lp), 0);
	assert_int_equal(mkdir(lp.data, 0700), 0);
	put(lp.data, "PG_VERSION", "16\r\n");
	assert_true(local_initialised(&lp));
	v = local_pg_version(lp.data);
	assert_string_equal(v, "16");
	free(v);
	/* The first line is the pid; a live one is the server's. */
	pid = xasprintf("%ld\n%s\n1700000000\n", (long)getpid(), lp.data);
	put(lp.data, "postmaster.pid", pid);
	free(pid);
	assert_int_equal(local_server_pid(&lp), getpid());
	put(lp.data, "postmaster.pid", "2147483647\n");
	assert_int_equal(local_server_pid(&lp), 0);
	put(lp.data, "postmaster.pid", "0\n");
	assert_int_equal(local_server_pid(&lp), 0);
	put(lp.data, "postmaster.pid", "12ab\n");
	assert_int_equal(local_server_pid(&lp), 0);
	put(lp.data, "postmaster.pid", "");
	assert_int_equal(local_server_pid(&lp), 0);
	local_paths_clear(&lp);
	tmpdir_remove(dir);
}

/* $PG_BINDIR wins when it holds both programs, else it is an error. */
static void
test_find_bindir(void **state)
{
	char	*dir, *path, *got, *err = NULL;

	(void)state;
	dir = tmpdir_new("test_local");
	setenv("PG_BINDIR", dir, 1);
	path = xasprintf("%s/initdb", dir);
	assert_int_equal(fileio_write_atomic(path, "", 0, 0755, &err), 0);
	free(path);
	assert_null(local_find_bindir(NULL, &err));
	assert_non_null(strstr(err, "holds no initdb and pg_ctl"));
	free(err);
	err = NULL;
	path = xasprintf("%s/pg_ctl", dir);
	assert_int_equal(fileio_write_atomic(path, "", 0, 0755, &err), 0);
	free(path);
	got = local_find_bindir("16", &err);
	assert_string_equal(got, dir);
	free(got);
	unsetenv("PG_BINDIR");
	tmpdir_remove(dir);
}

/* A new file, one that is there, and a replacement. */
static void
test_write_file(void **state)
{
	struct stat	 st;
	char		*dir, *path, *got, *err = NULL;

	(void)state;
	dir = tmpdir_new("test_local");
	path = xasprintf("%s/dataflow.properties", dir);
	assert_int_equal(local_write_file(path, "one\n", false, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(local_write_file(path, "two\n", false, &err), -1);
	got = xasprintf("\"%s\" exists", path);
	assert_string_equal(err, got);
	free(got);
	free(err);
	assert_int_equal(local_write_file(path, "three\n", true, &err), 0);
	got = get(dir, "dataflow.properties");
	assert_string_equal(got, "three\n");
	free(got);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	free(path);
	/* Nothing else is left in the directory. */
	path = xasprintf("%s/dataflow.properties", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	free(path);
	free(dir);
}

static void
test_remove_tree(void **state)
{
	char	*dir, *sub, *err = NULL;

	(void)state;
	dir = tmpdir_new("test_local");
	sub = xasprintf("%s/a/b", dir);
	assert_int_equal(fileio_mkdir_p(sub, 0700, 0700, &err), 1);
	put(sub, "f", "x");
	put(dir, "g", "y");
	assert_int_equal(local_remove_tree(dir, &err), 0);
	assert_int_equal(access(dir, F_OK), -1);
	assert_int_equal(local_remove_tree(dir, &err), -1);
	assert_non_null(strstr(err, "could not remove"));
	free(err);
	free(sub);
	free(dir);
}

/* Run argv as ourselves; return its status, *out its output. */
static int
spawn(const char *const *argv, char **out)
{
	char	*err = NULL;
	int	 status = -1;

	assert_int_equal(local_spawn(argv, NULL, out, &status, &err), 0);
	assert_null(err);
	return status;
}

/* Output and exit status, a signal as 128+N, only the last 16 KiB, and a
 * program that is not there. */
static void
test_spawn(void **state)
{
	const char *const exit4[] = { "/bin/sh", "-c", "pwd; echo err >&2; "
	    "read x && echo \"read $x\"; exit 4", NULL };
	const char *const killed[] = { "/bin/sh", "-c", "kill -TERM $$",
	    NULL };
	const char *const big[] = { "/bin/sh", "-c", "i=0; while [ $i -lt "
	    "2000 ]; do echo 0123456789abcdef; i=$((i+1)); done; echo end",
	    NULL };
	const char *const none[] = { "/nonexistent/initdb", NULL };
	char	*out, *err = NULL;
	size_t	 len;
	int	 status = -1;

	(void)state;
	/* Under valgrind a forked child that does not exec exits with
	 * valgrind's own status (--error-exitcode, its leak check of our
	 * copied heap): the plain and sanitizer runs check this one (a
	 * cmocka skip would count as a failure in automake's TAP driver). */
	if (getenv("DF_VALGRIND") != NULL)
		return;
	assert_int_equal(spawn(exit4, &out), 4);
	assert_string_equal(out, "/\nerr\n");	/* from /, stdin empty */
	free(out);
	assert_int_equal(spawn(killed, &out), 128 + SIGTERM);
	free(out);
	assert_int_equal(spawn(big, &out), 0);
	len = strlen(out);
	assert_int_equal(len, 16384);
	assert_string_equal(out + len - 4, "end\n");
	free(out);
	assert_int_equal(spawn(none, &out), 127);
	assert_non_null(strstr(out, "/nonexistent/initdb: could not "
	    "execute"));
	free(out);
	assert_int_equal(local_spawn(exit4, NULL, NULL, &status, &err), 0);
	assert_int_equal(status, 4);
}

static int
cannot_use(void)
{
	return local_user_can_use("/root", NULL) ? 1 : 0;
}

/* Users: ourselves, by name, the owner of a file, and what they may use. */
static void
test_users(void **state)
{
	struct local_user	 u, self;
	char			*dir, *err = NULL;

	(void)state;
	/* Under valgrind a forked child that does not exec exits with
	 * valgrind's own status (--error-exitcode, its leak check of our
	 * copied heap): the plain and sanitizer runs check this one (a
	 * cmocka skip would count as a failure in automake's TAP driver). */
	if (getenv("DF_VALGRIND") != NULL)
		return;
	assert_int_equal(local_user_self(&self, &err), 0);
	assert_int_equal(self.uid, geteuid());
	assert_int_equal(local_user_lookup(self.name, &u, &err), 0);
	assert_int_equal(u.uid, self.uid);
	local_user_clear(&u);
	local_user_clear(&u);
	assert_int_equal(local_user_lookup("no-such-user-dataflow", &u, &err),
	    -1);
	assert_string_equal(err, "no user \"no-such-user-dataflow\"");
	free(err);
	assert_int_equal(local_user_of("/", &u, &err), 0);
	assert_int_equal(u.uid, 0);
	local_user_clear(&u);
	assert_int_equal(local_user_of("/nonexistent", &u, &err), -1);
	assert_non_null(strstr(err, "could not stat \"/nonexistent\""));
	free(err);
	dir = tmpdir_new("test_local");
	assert_int_equal(chmod(dir, 0700), 0);
	assert_true(local_user_can_use(dir, NULL));
	assert_true(local_user_can_use(dir, &self));
	if (geteuid() == 0) {
		assert_int_equal(local_user_lookup("nobody", &u, &err), 0);
		assert_false(local_user_can_use(dir, &u));
		local_user_clear(&u);
		as_nobody(cannot_use);
	}
	local_user_clear(&self);
	tmpdir_remove(dir);
}

/* A cluster's directory is ours and private, its parent not open to all. */
static void
test_dir_trusted(void **state)
{
	struct local_paths	 lp;
	char			*dir, *sub, *err = NULL;

	(void)state;
	dir = tmpdir_new("test_local");
	sub = xasprintf("%s/pg", dir);
	assert_int_equal(local_paths_init(&lp, sub, &err), 0);
	assert_int_equal(local_dir_trusted(&lp, geteuid(), &err), 0);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(local_dir_trusted(&lp, geteuid(), &err), 0);
	assert_int_equal(chmod(sub, 0770), 0);
	assert_int_equal(local_dir_trusted(&lp, geteuid(), &err), -1);
	assert_non_null(strstr(err, "refusing --dir"));
	free(err);
	assert_int_equal(chmod(sub, 0700), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(local_dir_trusted(&lp, geteuid(), &err), -1);
	assert_non_null(strstr(err, "others can replace it"));
	free(err);
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(local_dir_trusted(&lp, geteuid(), &err), 0);
	local_paths_clear(&lp);
	free(sub);
	tmpdir_remove(dir);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_default_dir),
		cmocka_unit_test(test_properties_text),
		cmocka_unit_test(test_configure),
		cmocka_unit_test(test_cluster_files),
		cmocka_unit_test(test_find_bindir),
		cmocka_unit_test(test_write_file),
		cmocka_unit_test(test_remove_tree),
		cmocka_unit_test(test_spawn),
		cmocka_unit_test(test_users),
		cmocka_unit_test(test_dir_trusted),
	};

	return tsv_run_group("local", fixed, sizeof fixed / sizeof fixed[0],
	    TEST_DATADIR "/local_paths.tsv", 2, test_table);
}
