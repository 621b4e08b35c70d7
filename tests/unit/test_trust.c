/* test_trust.c: unit tests for lib/trust.c: who may own or write what. */
#include <sys/types.h>
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "trust.h"

#define OTHER	54321	/* a uid that is neither ours nor root's */

static struct stat
st_of(uid_t uid, mode_t mode)
{
	struct stat	 st;

	memset(&st, 0, sizeof(st));
	st.st_uid = uid;
	st.st_mode = mode;
	return st;
}

/* Check trust_private() accepts (want NULL) or refuses saying want. */
static void
assert_private(uid_t uid, mode_t mode, uid_t also, const char *want)
{
	struct stat	 st = st_of(uid, S_IFREG | mode);
	char		*why;

	why = trust_private(&st, also);
	if (want == NULL) {
		if (why != NULL)
			fail_msg("uid %lu mode %04o refused: %s",
			    (unsigned long)uid, (unsigned)mode, why);
		return;
	}
	if (why == NULL)
		fail_msg("uid %lu mode %04o accepted, want \"%s\"",
		    (unsigned long)uid, (unsigned)mode, want);
	if (strstr(why, want) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", why, want);
	free(why);
}

static void
test_private(void **state)
{
	(void)state;
	assert_private(geteuid(), 0644, TRUST_NOBODY, NULL);
	assert_private(geteuid(), 0600, TRUST_NOBODY, NULL);
	assert_private(0, 0644, TRUST_NOBODY, NULL);
	assert_private(geteuid(), 0664, TRUST_NOBODY,
	    "writable by group or others (mode 0664)");
	assert_private(geteuid(), 0602, TRUST_NOBODY,
	    "writable by group or others (mode 0602)");
	assert_private(0, 01777, TRUST_NOBODY,
	    "writable by group or others (mode 1777)");
	assert_private(OTHER, 0600, TRUST_NOBODY,
	    "owned by uid 54321, not by you or root");
	/* A third owner when the caller says so (the cluster's server). */
	assert_private(OTHER, 0700, OTHER, NULL);
	assert_private(OTHER, 0770, OTHER, "writable by group or others");
	assert_private(OTHER + 1, 0700, OTHER, "owned by uid 54322");
}

static void
test_dir(void **state)
{
	struct stat	 st;
	char		*why;

	(void)state;
	st = st_of(OTHER, S_IFDIR | 0777);
	why = trust_dir(&st);
	assert_non_null(why);
	assert_string_equal(why, "writable by others and not sticky "
	    "(mode 0777)");
	free(why);
	st = st_of(OTHER, S_IFDIR | 0703);
	assert_non_null(why = trust_dir(&st));
	free(why);
	/* Sticky: only an entry's owner may remove or rename it. */
	st = st_of(0, S_IFDIR | 01777);
	assert_null(trust_dir(&st));
	/* The group's members can only put their own files there. */
	st = st_of(geteuid(), S_IFDIR | 02775);
	assert_null(trust_dir(&st));
	st = st_of(OTHER, S_IFDIR | 0755);
	assert_null(trust_dir(&st));
}

static void
test_dirname(void **state)
{
	static const char *const cases[][2] = {
		{ "dataflow.properties", "." },
		{ "./dataflow.properties", "." },
		{ "/etc/dataflow/dataflow.properties", "/etc/dataflow" },
		{ "/x", "/" },
		{ "//x", "/" },
		{ "a//b", "a" },
		{ "a/b/", "a/b" },
	};
	size_t		 i;
	char		*got;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = trust_dirname(cases[i][0]);
		if (strcmp(got, cases[i][1]) != 0)
			fail_msg("trust_dirname(\"%s\") = \"%s\", want \"%s\"",
			    cases[i][0], got, cases[i][1]);
		free(got);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_private),
		cmocka_unit_test(test_dir),
		cmocka_unit_test(test_dirname),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
