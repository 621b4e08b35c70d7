/* test_metrics.c: unit tests of lib/metrics.c, table-driven from
 * tests/unit/data/metrics.tsv: input (with \n escapes), expected JSON
 * (or "-" for none), expected warnings joined by " | " (or "-"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"
#include "metrics.h"
#include "strbuf.h"
#include "xmalloc.h"

/* Undo the \n, \r, \t and \\ escapes of the table. */
static char *
unescape(const char *s, size_t *len)
{
	struct strbuf	 sb = STRBUF_INIT;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			strbuf_addc(&sb, *s == 'n' ? '\n' : *s == 'r' ? '\r' :
			    *s == 't' ? '\t' : *s == '0' ? '\0' : *s);
		} else
			strbuf_addc(&sb, *s);
	}
	*len = sb.len;
	return strbuf_detach(&sb);
}

static void
test_table(void **state)
{
	char		 line[4096], *f[3], *text, *json, *p;
	struct diag	 w = { NULL, 0 };
	struct strbuf	 got = STRBUF_INIT;
	size_t		 len, i;
	int		 nf, cases = 0;
	FILE		*fp;

	(void)state;
	fp = fopen(TEST_DATADIR "/metrics.tsv", "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		for (nf = 0, p = line; nf < 3 && p != NULL; nf++) {
			f[nf] = p;
			if ((p = strchr(p, '\t')) != NULL)
				*p++ = '\0';
		}
		assert_int_equal(nf, 3);
		text = unescape(f[0], &len);
		json = metrics_parse(text, len, &w);
		if (strcmp(f[1], "-") == 0)
			assert_null(json);
		else {
			assert_non_null(json);
			assert_string_equal(json, f[1]);
		}
		for (i = 0; i < w.n; i++)
			strbuf_addf(&got, "%s%s", i > 0 ? " | " : "",
			    w.msgs[i]);
		assert_string_equal(got.len > 0 ? got.buf : "-", f[2]);
		strbuf_free(&got);
		diag_clear(&w);
		free(json);
		free(text);
		cases++;
	}
	fclose(fp);
	assert_true(cases >= 10);
}

/* Too many metrics: the first METRICS_MAXCOUNT are kept. */
static void
test_limit(void **state)
{
	struct strbuf	 sb = STRBUF_INIT;
	struct diag	 w = { NULL, 0 };
	char		*json;
	int		 i;

	(void)state;
	for (i = 0; i < METRICS_MAXCOUNT + 5; i++)
		strbuf_addf(&sb, "m%d=%d\n", i, i);
	json = metrics_parse(sb.buf, sb.len, &w);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"m99\":99"));
	assert_null(strstr(json, "\"m100\""));
	assert_int_equal(w.n, 5);
	free(json);
	diag_clear(&w);
	strbuf_free(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
