/* test_msg.c: unit tests for lib/msg.c: quoting values for messages, edit
 * distances and did-you-mean hints; see data/msg.tsv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "msg.h"
#include "xmalloc.h"
#include "tsv.h"

/* Return the expected text of field f, which must start with "=". */
static const char *
expected(const char *f)
{
	if (f[0] != '=')
		fail_msg("expected text \"%s\" does not start with \"=\"", f);
	return f + 1;
}

static void
case_quote(const struct tcase *c)
{
	size_t	 max;
	char	*q;

	max = strcmp(c->f[2], "-") == 0 ? SIZE_MAX :
	    (size_t)strtoul(c->f[2], NULL, 10);
	q = msg_quote(c->f[1], strlen(c->f[1]), max);
	assert_string_equal(q, expected(c->f[3]));
	free(q);
}

static void
case_distance(const struct tcase *c)
{
	size_t	 want;

	want = strcmp(c->f[3], "-") == 0 ? SIZE_MAX :
	    (size_t)strtoul(c->f[3], NULL, 10);
	assert_int_equal(msg_distance(c->f[1], c->f[2]), want);
	/* The distance is symmetric. */
	assert_int_equal(msg_distance(c->f[2], c->f[1]), want);
}

static void
case_hint(const struct tcase *c)
{
	struct msg_hint	 h = MSG_HINT_INIT;
	char		*cands, *cand, *rest, *text, *want;

	cands = xstrdup(c->f[2]);
	for (rest = cands; (cand = strsep(&rest, ",")) != NULL;)
		msg_hint_try(&h, c->f[1], cand);
	text = msg_hint_text(&h);
	if (strcmp(c->f[3], "-") == 0) {
		assert_null(h.best);
		assert_string_equal(text, "");
	} else {
		assert_non_null(h.best);
		assert_string_equal(h.best, c->f[3]);
		want = xasprintf(" (did you mean \"%s\"?)", c->f[3]);
		assert_string_equal(text, want);
		free(want);
	}
	free(text);
	free(cands);
}

static void
test_table(void **state)
{
	const struct tcase	*c = *state;

	if (strcmp(c->f[0], "quote") == 0)
		case_quote(c);
	else if (strcmp(c->f[0], "distance") == 0)
		case_distance(c);
	else if (strcmp(c->f[0], "hint") == 0)
		case_hint(c);
	else
		fail_msg("unknown kind \"%s\"", c->f[0]);
}

/* msg_q quotes a string and cuts it at MSG_QUOTEMAX bytes. */
static void
test_q(void **state)
{
	char	 buf[MSG_QUOTEMAX * 2 + 1];
	char	*q;

	(void)state;
	q = msg_q("x\"y");
	assert_string_equal(q, "\"x\\\"y\"");
	free(q);
	memset(buf, 'k', sizeof buf - 1);
	buf[sizeof buf - 1] = '\0';
	q = msg_q(buf);
	assert_int_equal(strlen(q), MSG_QUOTEMAX + 2 + 3);
	assert_string_equal(q + MSG_QUOTEMAX + 1, "\"...");
	free(q);
}

/* Bytes after a NUL inside len are quoted too (the JSON decoder passes
 * lengths, and a NUL is a control byte like any other). */
static void
test_quote_nul(void **state)
{
	char	*q;

	(void)state;
	q = msg_quote("a\0b", 3, MSG_QUOTEMAX);
	assert_string_equal(q, "\"a\\x00b\"");
	free(q);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_q),
		cmocka_unit_test(test_quote_nul),
	};

	return tsv_run_group("msg", fixed, sizeof fixed / sizeof fixed[0],
	    TEST_DATADIR "/msg.tsv", 4, test_table);
}
