/* tsv.c: table-driven unit tests read their cases from tab-separated data
 * files in tests/unit/data/: one case a line, '#' lines are comments. */
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tsv.h"
#include "xmalloc.h"

/* Decode a field in double quotes: \t \n \r \\ \" \xHH. */
char *
tsv_unquote(char *s)
{
	char	*r, *w, hex[3];
	size_t	 len = strlen(s);

	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return s;
	s[len - 1] = '\0';
	for (r = s + 1, w = s; *r != '\0'; r++) {
		if (*r != '\\' || r[1] == '\0') {
			*w++ = *r;
			continue;
		}
		switch (*++r) {
		case 't':
			*w++ = '\t';
			break;
		case 'n':
			*w++ = '\n';
			break;
		case 'r':
			*w++ = '\r';
			break;
		case 'x':
			hex[0] = r[1];
			hex[1] = r[1] != '\0' ? r[2] : '\0';
			hex[2] = '\0';
			*w++ = (char)strtol(hex, NULL, 16);
			r += strlen(hex);
			break;
		default:
			*w++ = *r;
			break;
		}
	}
	*w = '\0';
	return s;
}

/* Append the lines of a tab-separated file; '#' lines are comments. */
int
tsv_load(const char *path, int minfields, struct tcase **out,
    size_t *nout)
{
	FILE		*fp;
	struct tcase	*c;
	const char	*base;
	char		*line = NULL, *p, *field;
	size_t		 cap = 0;
	int		 lineno = 0, rc = -1;

	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, fp) != -1) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		*out = xreallocarray(*out, *nout + 1, sizeof **out);
		c = &(*out)[(*nout)++];
		memset(c, 0, sizeof *c);
		c->name = xasprintf("%s:%d %s", base, lineno, line);
		/* TAP reads '#' in a test name as a directive. */
		for (p = c->name; *p != '\0'; p++) {
			if (*p == '\t' || *p == '#')
				*p = ' ';
		}
		c->buf = xstrdup(line);
		for (p = c->buf; c->nf < MAXFIELDS &&
		    (field = strsep(&p, "\t")) != NULL;)
			c->f[c->nf++] = tsv_unquote(field);
		if (c->nf < minfields) {
			fprintf(stderr, "%s:%d: expected %d fields\n", path,
			    lineno, minfields);
			goto out;
		}
	}
	rc = 0;
out:
	free(line);
	fclose(fp);
	return rc;
}

void
tsv_free(struct tcase *c, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(c[i].name);
		free(c[i].buf);
	}
	free(c);
}

/* Run fixed, then the n tests of more. */
static int
tsv_run(const char *group, const struct CMUnitTest *fixed, size_t nfixed,
    const struct CMUnitTest *more, size_t n)
{
	struct CMUnitTest	*tests;
	int			 rc;

	tests = xcalloc(nfixed + n, sizeof *tests);
	memcpy(tests, fixed, nfixed * sizeof *tests);
	if (n > 0)
		memcpy(tests + nfixed, more, n * sizeof *tests);
	rc = _cmocka_run_group_tests(group, tests, nfixed + n, NULL, NULL);
	free(tests);
	return rc;
}

int
tsv_run_group(const char *group, const struct CMUnitTest *fixed,
    size_t nfixed, const char *path, int minfields,
    void (*test_func)(void **))
{
	struct CMUnitTest	*more;
	struct tcase		*cases = NULL;
	size_t			 ncases = 0, i;
	int			 rc;

	if (tsv_load(path, minfields, &cases, &ncases) == -1)
		return 1;
	more = xcalloc(ncases, sizeof *more);
	for (i = 0; i < ncases; i++) {
		more[i].name = cases[i].name;
		more[i].test_func = test_func;
		more[i].initial_state = &cases[i];
	}
	rc = tsv_run(group, fixed, nfixed, more, ncases);
	free(more);
	tsv_free(cases, ncases);
	return rc;
}

/* Free the n tests of tsv_add_files, their names and states. */
static void
tsv_free_tests(struct CMUnitTest *t, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free((char *)(uintptr_t)t[i].name);
		free(t[i].initial_state);
	}
	free(t);
}

/* Append a test to *more for each file of one kind; return how many. */
static size_t
tsv_add_files(struct CMUnitTest **more, size_t *n, const char *dir,
    const struct tsv_files *set)
{
	struct CMUnitTest	*t;
	glob_t			 g;
	char			*pattern;
	size_t			 i, len, skip = strlen(dir) + 1;
	size_t			 cut = set->strip != NULL ? strlen(set->strip) : 0;

	pattern = xasprintf("%s/%s", dir, set->pattern);
	if (glob(pattern, 0, NULL, &g) != 0) {
		free(pattern);
		return 0;
	}
	free(pattern);
	*more = xreallocarray(*more, *n + g.gl_pathc, sizeof **more);
	for (i = 0; i < g.gl_pathc; i++) {
		len = strlen(g.gl_pathv[i]);
		len -= len >= skip + cut ? cut : 0;
		t = &(*more)[(*n)++];
		memset(t, 0, sizeof *t);
		t->name = xstrndup(g.gl_pathv[i] + skip, len - skip);
		t->initial_state = xstrndup(g.gl_pathv[i], len);
		t->test_func = set->test_func;
		t->setup_func = set->setup;
		t->teardown_func = set->teardown;
	}
	len = g.gl_pathc;
	globfree(&g);
	return len;
}

int
tsv_run_files(const char *group, const struct CMUnitTest *fixed,
    size_t nfixed, const char *dir, const struct tsv_files *sets,
    size_t nsets)
{
	struct CMUnitTest	*more = NULL;
	size_t			 n = 0, i;
	int			 rc;

	for (i = 0; i < nsets; i++) {
		if (tsv_add_files(&more, &n, dir, &sets[i]) == 0) {
			fprintf(stderr, "%s/%s: no test files\n", dir,
			    sets[i].pattern);
			tsv_free_tests(more, n);
			return 1;
		}
	}
	rc = tsv_run(group, fixed, nfixed, more, n);
	tsv_free_tests(more, n);
	return rc;
}
