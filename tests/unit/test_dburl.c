/* test_dburl.c: unit tests for lib/dburl.c; the cases are in data/dburl.tsv. */
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

#include "dburl.h"
#include "xmalloc.h"
#include "tsv.h"

static void
test_table(void **state)
{
	const struct tcase	*c = *state;
	struct conninfo		 ci = { NULL, NULL, 0 };
	const char		*eq;
	char			*err = NULL;
	size_t			 i, nwant = (size_t)c->nf - 1;

	if (nwant == 1 && c->f[1][0] == '!') {
		assert_int_equal(dburl_parse(c->f[0], &ci, &err), -1);
		assert_non_null(err);
		assert_string_equal(err, c->f[1] + 1);
		free(err);
		conninfo_clear(&ci);
		return;
	}
	if (dburl_parse(c->f[0], &ci, &err) == -1)
		fail_msg("unexpected error: %s", err);
	assert_null(err);
	assert_int_equal(ci.n, nwant);
	for (i = 0; i < nwant; i++) {
		if ((eq = strchr(c->f[i + 1], '=')) == NULL)
			fail_msg("expected key=value, not \"%s\"",
			    c->f[i + 1]);
		assert_int_equal(strlen(ci.keys[i]), eq - c->f[i + 1]);
		assert_memory_equal(ci.keys[i], c->f[i + 1],
		    (size_t)(eq - c->f[i + 1]));
		assert_string_equal(ci.values[i], eq + 1);
	}
	/* Ready for PQconnectdbParams. */
	assert_null(ci.keys[ci.n]);
	assert_null(ci.values[ci.n]);
	conninfo_clear(&ci);
}

static void
test_conninfo(void **state)
{
	struct conninfo	 ci = { NULL, NULL, 0 };

	(void)state;
	conninfo_clear(&ci);
	assert_null(conninfo_get(&ci, "host"));
	/* Removing what is not there is fine. */
	conninfo_set(&ci, "host", NULL);
	assert_int_equal(ci.n, 0);

	conninfo_set(&ci, "host", "a");
	conninfo_set(&ci, "port", "1");
	conninfo_set(&ci, "dbname", "d");
	assert_int_equal(ci.n, 3);
	assert_null(ci.keys[3]);
	assert_null(ci.values[3]);

	/* Replacing keeps the place; the value may be the old one. */
	conninfo_set(&ci, "host", "b");
	conninfo_set(&ci, "port", conninfo_get(&ci, "port"));
	assert_int_equal(ci.n, 3);
	assert_string_equal(ci.keys[0], "host");
	assert_string_equal(ci.values[0], "b");
	assert_string_equal(conninfo_get(&ci, "port"), "1");

	/* NULL removes, keeping the order and the terminators. */
	conninfo_set(&ci, "host", NULL);
	assert_int_equal(ci.n, 2);
	assert_string_equal(ci.keys[0], "port");
	assert_string_equal(ci.keys[1], "dbname");
	assert_null(ci.keys[2]);
	assert_null(ci.values[2]);
	assert_null(conninfo_get(&ci, "host"));
	conninfo_set(&ci, "dbname", NULL);
	assert_int_equal(ci.n, 1);
	assert_null(ci.keys[1]);
	conninfo_set(&ci, "host", "c");
	assert_string_equal(ci.keys[1], "host");

	conninfo_clear(&ci);
	assert_int_equal(ci.n, 0);
	assert_null(ci.keys);
	assert_null(ci.values);
	assert_null(conninfo_get(&ci, "port"));
}

/* dburl_parse adds to what ci holds; what the url says wins. */
static void
test_parse_adds(void **state)
{
	struct conninfo	 ci = { NULL, NULL, 0 };
	char		*err;

	(void)state;
	conninfo_set(&ci, "application_name", "before");
	conninfo_set(&ci, "port", "1111");
	assert_int_equal(dburl_parse("jdbc:postgresql://h:2222/d?ssl=true",
	    &ci, &err), 0);
	assert_int_equal(ci.n, 5);
	assert_string_equal(ci.keys[0], "application_name");
	assert_string_equal(ci.values[0], "before");
	assert_string_equal(conninfo_get(&ci, "port"), "2222");
	assert_string_equal(conninfo_get(&ci, "host"), "h");
	assert_string_equal(conninfo_get(&ci, "dbname"), "d");
	assert_string_equal(conninfo_get(&ci, "sslmode"), "require");
	conninfo_clear(&ci);

	assert_int_equal(dburl_parse(NULL, &ci, &err), -1);
	assert_string_equal(err, "empty url");
	free(err);
	conninfo_clear(&ci);
}

/* No error message ever repeats a password from the url. */
static void
test_no_secret_in_errors(void **state)
{
	static const char *const urls[] = {
		"jdbc:postgresql://db1/dw?password=s3cr3t&bogus=%zz",
		"jdbc:postgresql://db1/dw?password=s3cr3t%zz",
		"jdbc:postgresql://db1/dw?password=s3cr3t&ssl=maybe",
		"jdbc:postgresql://db1:s3cr3t/dw",
		"jdbc:oracle:thin:scott/s3cr3t@db1:1521:dw",
		"s3cr3t"
	};
	struct conninfo	 ci = { NULL, NULL, 0 };
	char		*err;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		assert_int_equal(dburl_parse(urls[i], &ci, &err), -1);
		/* The port is named: it is not where passwords go. */
		if (i != 3 && strstr(err, "s3cr3t") != NULL)
			fail_msg("secret in message: %s", err);
		free(err);
		conninfo_clear(&ci);
	}
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_conninfo),
		cmocka_unit_test(test_parse_adds),
		cmocka_unit_test(test_no_secret_in_errors),
	};

	return tsv_run_group("dburl", fixed, sizeof fixed / sizeof fixed[0],
	    TEST_DATADIR "/dburl.tsv", 2, test_table);
}
