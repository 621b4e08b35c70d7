/*
 * test_settings.c: unit tests for lib/settings.c; each file in
 * data/settings/NAME.properties is resolved and checked against NAME.expect.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "settings.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "tsv.h"

#define SETDIR		TEST_DATADIR "/settings"
#define EXAMPLE		TEST_DATADIR "/../../../dataflow.properties.example"

static void
assert_scalar(const char *got, const char *want)
{
	if (strcmp(want, "(null)") == 0)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

/* The list allow joined by commas ("(none)" for NULL) is want. */
static void
check_env_allow(char **allow, const char *want)
{
	struct strbuf	 sb = STRBUF_INIT;
	size_t		 i;
	char		*got;

	for (i = 0; allow != NULL && allow[i] != NULL; i++)
		strbuf_addf(&sb, "%s%s", i > 0 ? "," : "", allow[i]);
	got = allow == NULL ? xstrdup("(none)") : strbuf_detach(&sb);
	assert_string_equal(got, want);
	free(got);
	strbuf_free(&sb);
}

static void
test_file(void **state)
{
	const char		*path = *state;
	struct properties	*p;
	struct settings		*s = NULL;
	struct tcase		*want = NULL;
	const struct tcase	*w;
	char			*expect, *err = NULL, *msg;
	size_t			 nwant = 0, i, nconn = 0, nunknown = 0;
	size_t			 nlisten = 0;
	size_t			 nallow = 0;
	bool			 seen[4] = { false, false, false, false };

	expect = xasprintf("%.*s.expect", (int)(strlen(path) -
	    strlen(".properties")), path);
	if (tsv_load(expect, 2, &want, &nwant) == -1)
		fail_msg("cannot read %s", expect);
	if ((p = properties_load(path, &err)) != NULL)
		s = settings_from_properties(p, &err);

	if (nwant > 0 && strcmp(want[0].f[0], "error") == 0) {
		if (s != NULL)
			fail_msg("%s: resolved, expected an error", path);
		msg = want[0].f[1][0] == '@' ?
		    xasprintf("%s%s", path, want[0].f[1] + 1) :
		    xstrdup(want[0].f[1]);
		assert_string_equal(err, msg);
		free(msg);
		goto out;
	}
	if (s == NULL)
		fail_msg("%s: unexpected error: %s", path, err);
	assert_null(err);
	assert_string_equal(s->path, path);
	for (i = 0; i < nwant; i++) {
		w = &want[i];
		if (strcmp(w->f[0], "conn") == 0 && w->nf == 3) {
			assert_true(nconn < s->conn.n);
			assert_string_equal(s->conn.keys[nconn], w->f[1]);
			assert_string_equal(s->conn.values[nconn], w->f[2]);
			nconn++;
		} else if (strcmp(w->f[0], "listen") == 0 && w->nf == 3) {
			assert_true(nlisten < s->listen_conn.n);
			assert_string_equal(s->listen_conn.keys[nlisten],
			    w->f[1]);
			assert_string_equal(s->listen_conn.values[nlisten],
			    w->f[2]);
			nlisten++;
		} else if (strcmp(w->f[0], "unknown") == 0) {
			assert_true(nunknown < s->nunknown);
			assert_string_equal(s->unknown[nunknown], w->f[1]);
			nunknown++;
		} else if (strcmp(w->f[0], "notify_allow") == 0) {
			assert_true(nallow < s->nnotify_allow);
			assert_string_equal(s->notify_allow[nallow], w->f[1]);
			nallow++;
		} else if (strcmp(w->f[0], "schema") == 0) {
			assert_string_equal(s->schema, w->f[1]);
			seen[0] = true;
		} else if (strcmp(w->f[0], "lease") == 0) {
			assert_int_equal(s->lease_secs, atol(w->f[1]));
			seen[1] = true;
		} else if (strcmp(w->f[0], "finish_retry") == 0) {
			assert_int_equal(s->finish_retry_secs, atol(w->f[1]));
		} else if (strcmp(w->f[0], "env_allow") == 0) {
			check_env_allow(s->env_allow, w->f[1]);
		} else if (strcmp(w->f[0], "password") == 0) {
			assert_scalar(s->password, w->f[1]);
			seen[2] = true;
		} else if (strcmp(w->f[0], "encrypted") == 0) {
			assert_scalar(s->encrypted, w->f[1]);
			seen[3] = true;
		} else
			fail_msg("%s: bad expect line", w->name);
	}
	/* Nothing more than expected, and every field checked. */
	assert_int_equal(s->conn.n, nconn);
	assert_null(s->conn.keys[nconn]);
	assert_int_equal(s->listen_conn.n, nlisten);
	assert_int_equal(s->nunknown, nunknown);
	assert_int_equal(s->nnotify_allow, nallow);
	for (i = 0; i < 4; i++) {
		if (!seen[i])
			fail_msg("%s: schema, lease, password and encrypted "
			    "must all be expected", expect);
	}
	/* The password never goes to the keywords. */
	assert_null(conninfo_get(&s->conn, "password"));
	assert_null(conninfo_get(&s->conn, "schema"));
out:
	settings_free(s);
	properties_free(p);
	free(err);
	tsv_free(want, nwant);
	free(expect);
}

/* The static table knows every keyword of the libpq we build against. */
static void
test_libpq_keys(void **state)
{
	PQconninfoOption	*opts, *o;

	(void)state;
	if ((opts = PQconndefaults()) == NULL)
		fail_msg("PQconndefaults failed");
	for (o = opts; o->keyword != NULL; o++) {
		if (!settings_is_libpq_key(o->keyword))
			fail_msg("libpq keyword \"%s\" not in the table",
			    o->keyword);
	}
	PQconninfoFree(opts);
	assert_true(settings_is_libpq_key("sslmode"));
	assert_true(settings_is_libpq_key("target_session_attrs"));
	assert_true(settings_is_libpq_key("load_balance_hosts"));
	assert_false(settings_is_libpq_key("url"));
	assert_false(settings_is_libpq_key("lease"));
	assert_false(settings_is_libpq_key("schema"));
	assert_false(settings_is_libpq_key("encrypted"));
	assert_false(settings_is_libpq_key("SSLMODE"));
	assert_false(settings_is_libpq_key(""));
}

static void
test_from_string(void **state)
{
	struct properties	*p;
	struct settings		*s;
	char			*err;

	(void)state;
	settings_free(NULL);
	p = properties_parse("url=jdbc:postgresql:dw\nlease=90\n", "mem",
	    &err);
	assert_non_null(p);
	s = settings_from_properties(p, &err);
	assert_non_null(s);
	assert_null(err);
	assert_string_equal(s->path, "mem");
	assert_int_equal(s->lease_secs, 90);
	assert_string_equal(s->schema, SETTINGS_DEFAULT_SCHEMA);
	assert_int_equal(s->nunknown, 0);
	assert_null(s->unknown);
	settings_free(s);
	properties_free(p);

	p = properties_parse("", "nothing", &err);
	assert_non_null(p);
	assert_null(settings_from_properties(p, &err));
	assert_string_equal(err, "nothing: missing required key \"url\"");
	free(err);
	properties_free(p);
}

/* The example shipped at the top of the tree resolves as it says. */
static void
test_example_file(void **state)
{
	struct properties	*p;
	struct settings		*s;
	char			*err;

	(void)state;
	p = properties_load(EXAMPLE, &err);
	if (p == NULL)
		fail_msg("%s", err);
	s = settings_from_properties(p, &err);
	if (s == NULL)
		fail_msg("%s", err);
	assert_int_equal(s->conn.n, 4);
	assert_string_equal(conninfo_get(&s->conn, "host"), "localhost");
	assert_string_equal(conninfo_get(&s->conn, "port"), "5432");
	assert_string_equal(conninfo_get(&s->conn, "dbname"), "dataflow");
	assert_string_equal(conninfo_get(&s->conn, "user"), "etl");
	assert_string_equal(s->schema, "dataflow");
	assert_int_equal(s->lease_secs, 60);
	assert_null(s->password);
	assert_null(s->encrypted);
	assert_int_equal(s->nunknown, 0);
	settings_free(s);
	properties_free(p);
}

/* A notify program runs only when listed, by its exact absolute path. */
static void
test_notify_allowed(void **state)
{
	struct properties	*p;
	struct settings		*s;
	char			*err;

	(void)state;
	p = properties_parse("url=jdbc:postgresql:dw\n", "none", &err);
	assert_non_null(p);
	s = settings_from_properties(p, &err);
	assert_non_null(s);
	assert_int_equal(s->nnotify_allow, 0);
	assert_false(settings_notify_allowed(s, "/bin/true"));
	settings_free(s);
	properties_free(p);

	p = properties_parse("url=jdbc:postgresql:dw\n"
	    "notify_allow=/usr/bin/mail,/bin/true\n", "two", &err);
	assert_non_null(p);
	s = settings_from_properties(p, &err);
	assert_non_null(s);
	assert_true(settings_notify_allowed(s, "/bin/true"));
	assert_true(settings_notify_allowed(s, "/usr/bin/mail"));
	assert_false(settings_notify_allowed(s, "true"));
	assert_false(settings_notify_allowed(s, "bin/true"));
	assert_false(settings_notify_allowed(s, "/bin//true"));
	assert_false(settings_notify_allowed(s, "/bin/true "));
	assert_false(settings_notify_allowed(s, "/bin/tru"));
	assert_false(settings_notify_allowed(s, "/usr/bin/../../bin/true"));
	assert_false(settings_notify_allowed(s, "/bin/sh"));
	assert_false(settings_notify_allowed(s, ""));
	assert_false(settings_notify_allowed(s, NULL));
	settings_free(s);
	properties_free(p);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_libpq_keys),
		cmocka_unit_test(test_from_string),
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_notify_allowed),
	};
	static const struct tsv_files files[] = {
		{ "*.properties", NULL, test_file, NULL, NULL },
	};

	return tsv_run_files("settings", fixed,
	    sizeof fixed / sizeof fixed[0], SETDIR, files, 1);
}
