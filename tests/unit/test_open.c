/* test_open.c: unit tests for lib/open.c: what opening says on the way,
 * and what it exits with when it cannot open. */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "exitcodes.h"
#include "open.h"
#include "secrets.h"
#include "settings.h"
#include "strbuf.h"
#include "xmalloc.h"

/* What the report hook heard: "W:msg\n", "I:msg\n", "D:msg\n". */
static void
heard(void *arg, enum report_level level, const char *msg)
{
	strbuf_addf(arg, "%c:%s\n", "WID"[level], msg);
}

/* A properties file of text and mode in a new private directory. */
static char *
props(const char *text, mode_t mode)
{
	char	*dir = xstrdup("/tmp/test_open-XXXXXX"), *path;
	FILE	*f;

	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/dataflow.properties", dir);
	free(dir);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static void
drop(char *path)
{
	char	*slash = strrchr(path, '/');

	unlink(path);
	*slash = '\0';
	rmdir(path);
	free(path);
}

static void
opts(struct open_opts *o, const char *config, struct strbuf *sb)
{
	memset(o, 0, sizeof(*o));
	o->config = config;
	o->passkey = OPEN_PASSKEY_NEVER;
	o->appname = "test_open";
	o->report.fn = sb != NULL ? heard : NULL;
	o->report.arg = sb;
}

/* A file others can read the password in is said, then which file is
 * used and its unknown keys (for -v). */
static void
test_settings_said(void **state)
{
	struct open_opts	 o;
	struct settings		*s;
	struct strbuf		 sb = STRBUF_INIT;
	char			*path, *err = NULL, *want;

	(void)state;
	path = props("url=postgresql:///x\npassword=p\nfrobnicate=1\n", 0644);
	opts(&o, path, &sb);
	assert_int_equal(open_settings(&o, &s, &err), EXIT_OK);
	assert_null(err);
	assert_non_null(s);
	assert_non_null(sb.buf);
	assert_int_equal(sb.buf[0], 'W');
	want = xasprintf("D:using %s\nD:%s: ignoring unknown key "
	    "\"frobnicate\"\n", path, path);
	assert_non_null(strstr(sb.buf, want));
	assert_int_equal(strlen(strstr(sb.buf, want)), strlen(want));
	free(want);
	settings_free(s);
	strbuf_free(&sb);
	drop(path);
}

static void
test_settings_missing(void **state)
{
	struct open_opts	 o;
	struct settings		*s = (void *)1;
	struct db		*db = (void *)1;
	char			*err = NULL;

	(void)state;
	opts(&o, "/nonexistent/dataflow.properties", NULL);
	assert_int_equal(open_database(&o, NULL, &s, &db, &err),
	    EXIT_CONFIG);
	assert_null(s);
	assert_null(db);
	assert_non_null(err);
	assert_non_null(strstr(err, "/nonexistent/dataflow.properties"));
	free(err);
}

/* A server never reads the passkey, even when one is in the environment:
 * an encrypted database password cannot be had. */
static void
test_never_passkey(void **state)
{
	struct open_opts	 o;
	struct settings		*s;
	struct db		*db = (void *)1;
	char			*path, *err = NULL, *want;

	(void)state;
	path = props("url=postgresql:///x\nencrypted=AAAA\n", 0600);
	opts(&o, path, NULL);
	setenv("PASSKEY", "not to be read", 1);
	assert_int_equal(open_settings(&o, &s, &err), EXIT_OK);
	assert_int_equal(open_connect(&o, s, NULL, &db, &err), EXIT_CONFIG);
	assert_null(db);
	want = xasprintf("%s: encrypted: encrypted, and no passkey given",
	    path);
	assert_int_equal(strncmp(err, want, strlen(want)), 0);
	free(want);
	free(err);
	unsetenv("PASSKEY");
	settings_free(s);
	drop(path);
}

/* A database that is not there: the connection's exit status, and the
 * message every program says. */
static void
test_unreachable(void **state)
{
	struct open_opts	 o;
	struct settings		*s;
	struct db		*db = (void *)1;
	char			*path, *err = NULL;
	const char		*want = "could not connect to the dataflow "
	    "database \"x\" on socket directory \"/nonexistent/socket\": ";

	(void)state;
	path = props("url=postgresql:///x?host=/nonexistent/socket\n"
	    "connect_timeout=2\n", 0600);
	opts(&o, path, NULL);
	assert_int_equal(open_database(&o, NULL, &s, &db, &err),
	    EXIT_TEMPFAIL);
	assert_null(s);
	assert_null(db);
	assert_int_equal(strncmp(err, want, strlen(want)), 0);
	free(err);
	drop(path);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settings_said),
		cmocka_unit_test(test_settings_missing),
		cmocka_unit_test(test_never_passkey),
		cmocka_unit_test(test_unreachable),
	};

	return cmocka_run_group_tests_name("open", tests, NULL, NULL);
}
