/* test_db.c: unit tests for lib/db.c that need no server: which errors mean
 * a lost connection, the secret-free identity spooled outcomes are filed
 * under, and a malformed url refused without repeating it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db.h"
#include "dburl.h"
#include "settings.h"

static void
test_sqlstate_lost(void **state)
{
	static const struct {
		const char	*sqlstate;
		bool		 lost;
	} cases[] = {
		{ NULL,		true },	/* libpq's own error */
		{ "",		true },
		{ "08006",	true },	/* connection_failure */
		{ "08003",	true },
		{ "57P01",	true },	/* admin_shutdown */
		{ "57P02",	true },	/* crash_shutdown */
		{ "57P03",	true },	/* cannot_connect_now */
		{ "57014",	false },	/* query_canceled */
		{ "40001",	false },	/* serialization: retry, same
						   connection */
		{ "23505",	false },
		{ "42P01",	false },
		{ "DF001",	false },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (db_sqlstate_lost(cases[i].sqlstate) != cases[i].lost)
			fail_msg("SQLSTATE %s: lost should be %d",
			    cases[i].sqlstate != NULL ? cases[i].sqlstate :
			    "(none)", cases[i].lost);
}

/* Settings with a schema and the given key/value pairs. */
static void
settings_init(struct settings *s, const char *const *kv)
{
	memset(s, 0, sizeof(*s));
	s->schema = (char *)(uintptr_t)"flow";
	for (; kv[0] != NULL; kv += 2)
		conninfo_set(&s->conn, kv[0], kv[1]);
}

static void
test_identity(void **state)
{
	static const struct {
		const char	*kv[7];
		const char	*want;
	} cases[] = {
		{ { "host", "db1", "dbname", "dw", "user", "etl", NULL },
		  "schema=flow host=db1 dbname=dw user=etl" },
		{ { "host", "db1", "password", "S3cret", "sslpassword",
		    "K3y", NULL },
		  "schema=flow host=db1" },
		/* A URI without a secret stays as it is (spooled outcomes
		 * of earlier versions keep matching). */
		{ { "dbname", "postgresql:///dw?host=/run/pg", "user", "etl",
		    NULL },
		  "schema=flow dbname=postgresql:///dw?host=/run/pg "
		  "user=etl" },
		/* One with a password: its pairs, without it. */
		{ { "dbname", "postgresql://etl:S3cret@db1:5433/dw", NULL },
		  "schema=flow user=etl dbname=dw host=db1 port=5433" },
		{ { "dbname", "host=db1 password=S3cret dbname=dw", NULL },
		  "schema=flow dbname=dw host=db1" },
	};
	struct settings	 s;
	char		*id;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		settings_init(&s, cases[i].kv);
		id = db_identity(&s);
		assert_string_equal(id, cases[i].want);
		assert_null(strstr(id, "S3cret"));
		assert_null(strstr(id, "K3y"));
		free(id);
		conninfo_clear(&s.conn);
	}
}

/* libpq's messages about a malformed URI or connection string quote the
 * part they choke on, which may be the password: ours names the setting. */
static void
test_malformed_url(void **state)
{
	static const char *const urls[] = {
		"postgresql://etl:Leak%zzPW@db1/dw",
		"postgres://etl:Leak%G0@db1/dw",
		"host=db1 Part2secret",
		"host=db1 password='LeakPW",
	};
	struct settings	 s;
	struct db_error	 e = { 0 };
	const char	*kv[3];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		kv[0] = "dbname";
		kv[1] = urls[i];
		kv[2] = NULL;
		settings_init(&s, kv);
		assert_null(db_connect(&s, NULL, "test", 0, &e));
		assert_int_equal(e.kind, DB_ERR_AUTH);
		assert_non_null(strstr(e.message, "url is not a valid"));
		assert_null(strstr(e.message, "Leak"));
		assert_null(strstr(e.message, "secret"));
		db_error_clear(&e);
		conninfo_clear(&s.conn);
	}
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlstate_lost),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_malformed_url),
	};

	return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
