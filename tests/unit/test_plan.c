/* test_plan.c: unit tests of lib/plan.c; a case in data/plan/ is NAME.cur.json,
 * NAME.want.json and the plans expected without and with prune. */
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "plan.h"
#include "strbuf.h"
#include "tsv.h"
#include "xmalloc.h"

#define PLAN_DIR	TEST_DATADIR "/plan"
#define MIN_CASES	9	/* the table must not silently shrink */

static char *
read_file(const char *path)
{
	char	*buf;
	FILE	*fp;
	long	 len;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == -1 || (len = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) == -1) {
		fclose(fp);
		return NULL;
	}
	buf = xmalloc((size_t)len + 1);
	if (fread(buf, 1, (size_t)len, fp) != (size_t)len) {
		free(buf);
		fclose(fp);
		return NULL;
	}
	buf[len] = '\0';
	fclose(fp);
	return buf;
}

static int
file_exists(const char *path)
{
	FILE	*fp;

	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	fclose(fp);
	return 1;
}

static struct config *
load(const char *path)
{
	struct diag	 d = { NULL, 0 };
	struct config	*c;
	size_t		 i;

	c = config_load_file(path, &d);
	for (i = 0; i < d.n; i++)
		print_error("%s\n", d.msgs[i]);
	assert_int_equal(d.n, 0);
	assert_non_null(c);
	return c;
}

/* Return p as text: "ACTION KIND ID" lines, each detail indented by two. */
static char *
render(const struct plan *p)
{
	struct strbuf	 sb = STRBUF_INIT;
	size_t		 i, k;

	for (i = 0; i < p->n; i++) {
		strbuf_addf(&sb, "%s %s %s\n",
		    plan_action_name(p->changes[i].action),
		    p->changes[i].kind == PLAN_DATASET ? "dataset" : "job",
		    p->changes[i].id);
		for (k = 0; k < p->changes[i].ndetails; k++)
			strbuf_addf(&sb, "  %s\n", p->changes[i].details[k]);
	}
	return strbuf_detach(&sb);
}

/* Return the contents of an expect file without its "#" comment lines. */
static char *
read_expect(const char *path)
{
	struct strbuf	 sb = STRBUF_INIT;
	char		*text, *line, *next;

	if ((text = read_file(path)) == NULL)
		fail_msg("cannot read %s: %s", path, strerror(errno));
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '#')
			continue;
		strbuf_addf(&sb, "%s\n", line);
	}
	free(text);
	return strbuf_detach(&sb);
}

static void
check_plan(const struct config *cur, const struct config *want, bool prune,
    const char *expect)
{
	struct plan	*p;
	char		*got, *exp;

	p = plan_compute(cur, want, prune, NULL);
	assert_non_null(p);
	got = render(p);
	exp = read_expect(expect);
	if (strcmp(got, exp) != 0)
		print_error("%s: want:\n%s--- got:\n%s", expect, exp, got);
	assert_string_equal(got, exp);
	free(exp);
	free(got);
	plan_free(p);
}

/* One case: the plan without prune, then with prune. */
static void
test_case(void **state)
{
	const char	*name = *state;
	struct config	*cur, *want;
	char		*path;

	path = xasprintf("%s.cur.json", name);
	cur = load(path);
	free(path);
	path = xasprintf("%s.want.json", name);
	want = load(path);
	free(path);
	path = xasprintf("%s.expect", name);
	check_plan(cur, want, false, path);
	free(path);
	path = xasprintf("%s.prune.expect", name);
	check_plan(cur, want, true, path);
	free(path);
	config_free(want);
	config_free(cur);
}

static void
test_cases_present(void **state)
{
	static const char *const parts[] = {
		".cur.json", ".want.json", ".expect", ".prune.expect"
	};
	glob_t	 g;
	size_t	 i, k, len;
	char	*path;

	(void)state;
	assert_int_equal(glob("*.cur.json", 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= MIN_CASES);
	for (i = 0; i < g.gl_pathc; i++) {
		len = strlen(g.gl_pathv[i]) - strlen(parts[0]);
		for (k = 1; k < 4; k++) {
			path = xasprintf("%.*s%s", (int)len, g.gl_pathv[i],
			    parts[k]);
			if (!file_exists(path))
				fail_msg("%s is missing", path);
			free(path);
		}
	}
	globfree(&g);
	/* And no stray half of a case. */
	assert_int_equal(glob("*.want.json", 0, NULL, &g), 0);
	for (i = 0; i < g.gl_pathc; i++) {
		len = strlen(g.gl_pathv[i]) - strlen(parts[1]);
		path = xasprintf("%.*s%s", (int)len, g.gl_pathv[i], parts[0]);
		if (!file_exists(path))
			fail_msg("%s is missing", path);
		free(path);
	}
	globfree(&g);
}

/* A configuration against itself, or against a copy, plans nothing. */
static void
test_equal_is_empty(void **state)
{
	struct config	*a, *b;
	struct plan	*p;
	static const char *const files[] = {
		"../config/valid/full.json",
		"../config/valid/spec_example.json",
		"../config/valid/diamond.json"
	};
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		a = load(files[i]);
		b = load(files[i]);
		p = plan_compute(a, b, true, NULL);
		assert_int_equal(p->n, 0);
		assert_null(p->changes);
		plan_free(p);
		p = plan_compute(a, a, false, NULL);
		assert_int_equal(p->n, 0);
		plan_free(p);
		config_free(b);
		config_free(a);
	}
}

/* NULL stands for an empty configuration on either side. */
static void
test_null_configs(void **state)
{
	struct config	*c;
	struct plan	*p;
	size_t		 i;

	(void)state;
	c = load("../config/valid/full.json");
	p = plan_compute(NULL, c, false, NULL);
	assert_int_equal(p->n, c->ndatasets + c->njobs);
	for (i = 0; i < p->n; i++) {
		assert_int_equal(p->changes[i].action, PLAN_ADD);
		assert_int_equal(p->changes[i].ndetails, 0);
	}
	assert_int_equal(p->changes[0].kind, PLAN_DATASET);
	assert_int_equal(p->changes[p->n - 1].kind, PLAN_JOB);
	plan_free(p);
	p = plan_compute(c, NULL, false, NULL);
	assert_int_equal(p->n, 0);
	plan_free(p);
	p = plan_compute(c, NULL, true, NULL);
	assert_int_equal(p->n, c->ndatasets + c->njobs);
	for (i = 0; i < p->n; i++)
		assert_int_equal(p->changes[i].action, PLAN_REMOVE);
	assert_string_equal(p->changes[0].id, c->datasets[0].id);
	plan_free(p);
	p = plan_compute(NULL, NULL, true, NULL);
	assert_int_equal(p->n, 0);
	plan_free(p);
	config_free(c);
}

/* No detail of any plan ever holds an encryptedpass value. */
static void
test_secret_never_shown(void **state)
{
	struct config	*cur, *want;
	struct plan	*p;
	size_t		 i, k, seen = 0;
	int		 prune;

	(void)state;
	cur = load("secrets.cur.json");
	want = load("secrets.want.json");
	for (prune = 0; prune < 2; prune++) {
		p = plan_compute(cur, want, prune, NULL);
		for (i = 0; i < p->n; i++) {
			for (k = 0; k < p->changes[i].ndetails; k++) {
				assert_null(strstr(p->changes[i].details[k],
				    "SECRET"));
				seen++;
			}
		}
		plan_free(p);
		p = plan_compute(want, cur, prune, NULL);
		for (i = 0; i < p->n; i++) {
			for (k = 0; k < p->changes[i].ndetails; k++) {
				assert_null(strstr(p->changes[i].details[k],
				    "SECRET"));
				seen++;
			}
		}
		plan_free(p);
	}
	assert_int_equal(seen, 12);
	config_free(want);
	config_free(cur);
}

/* Pause and resume are their own actions, on jobs, without details. */
static void
test_pause_resume(void **state)
{
	struct config	*cur, *want;
	struct plan	*p;

	(void)state;
	cur = load("pause_resume.cur.json");
	want = load("pause_resume.want.json");
	p = plan_compute(cur, want, false, NULL);
	assert_int_equal(p->n, 3);
	assert_int_equal(p->changes[0].action, PLAN_PAUSE);
	assert_int_equal(p->changes[0].kind, PLAN_JOB);
	assert_int_equal(p->changes[0].ndetails, 0);
	assert_null(p->changes[0].details);
	assert_int_equal(p->changes[1].action, PLAN_RESUME);
	assert_int_equal(p->changes[1].ndetails, 0);
	assert_int_equal(p->changes[2].action, PLAN_UPDATE);
	plan_free(p);
	/* The other way round swaps them. */
	p = plan_compute(want, cur, false, NULL);
	assert_int_equal(p->changes[0].action, PLAN_RESUME);
	assert_int_equal(p->changes[1].action, PLAN_PAUSE);
	plan_free(p);
	config_free(want);
	config_free(cur);
}

/* Parameters and extra attributes the database calls secret: their values
 * never appear, whether set, changed or removed; others do. */
static void
test_secret_names_masked(void **state)
{
	static const char *const secrets[] = {
		"DB_PWD", "AUTH_HEADER", "api_token", NULL
	};
	struct config	*cur, *want;
	struct plan	*p;
	char		*got;

	(void)state;
	cur = config_load_string("{\"datasets\": {\"d\": {\"extra\": "
	    "{\"api_token\": \"old-token\", \"path\": \"/a\"}}}, \"jobs\": "
	    "{\"j\": {\"params\": {\"DB_PWD\": \"hunter2\", "
	    "\"AUTH_HEADER\": \"Bearer abc\", \"BATCH\": \"1\"}}}}",
	    "cur", NULL);
	want = config_load_string("{\"datasets\": {\"d\": {\"extra\": "
	    "{\"api_token\": \"new-token\", \"path\": \"/b\"}}}, \"jobs\": "
	    "{\"j\": {\"params\": {\"DB_PWD\": \"hunter3\", "
	    "\"api_token\": \"t0k\", \"BATCH\": \"2\"}}}}", "want", NULL);
	assert_non_null(cur);
	assert_non_null(want);
	p = plan_compute(cur, want, false, secrets);
	got = render(p);
	assert_null(strstr(got, "hunter"));
	assert_null(strstr(got, "Bearer"));
	assert_null(strstr(got, "-token"));
	assert_null(strstr(got, "t0k"));
	assert_non_null(strstr(got, "extra.api_token: (changed)"));
	assert_non_null(strstr(got, "params.DB_PWD: (changed)"));
	assert_non_null(strstr(got, "params.AUTH_HEADER: (removed)"));
	assert_non_null(strstr(got, "params.api_token: (set)"));
	assert_non_null(strstr(got, "params.BATCH: \"1\" -> \"2\""));
	assert_non_null(strstr(got, "extra.path: \"/a\" -> \"/b\""));
	free(got);
	plan_free(p);
	/* Without the list, nothing but encryptedpass is masked. */
	p = plan_compute(cur, want, false, NULL);
	got = render(p);
	assert_non_null(strstr(got, "hunter2"));
	free(got);
	plan_free(p);
	config_free(want);
	config_free(cur);
}

static void
test_action_names(void **state)
{
	(void)state;
	assert_string_equal(plan_action_name(PLAN_ADD), "add");
	assert_string_equal(plan_action_name(PLAN_UPDATE), "update");
	assert_string_equal(plan_action_name(PLAN_REMOVE), "remove");
	assert_string_equal(plan_action_name(PLAN_PAUSE), "pause");
	assert_string_equal(plan_action_name(PLAN_RESUME), "resume");
	assert_string_equal(plan_action_name((enum plan_action)42),
	    "unknown");
	plan_free(NULL);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_cases_present),
		cmocka_unit_test(test_equal_is_empty),
		cmocka_unit_test(test_null_configs),
		cmocka_unit_test(test_secret_never_shown),
		cmocka_unit_test(test_pause_resume),
		cmocka_unit_test(test_secret_names_masked),
		cmocka_unit_test(test_action_names),
	};
	static const struct tsv_files files[] = {
		{ "*.cur.json", ".cur.json", test_case, NULL, NULL },
	};

	/* The fixed tests name their files from here. */
	if (chdir(PLAN_DIR) == -1) {
		fprintf(stderr, "%s: %s\n", PLAN_DIR, strerror(errno));
		return 1;
	}
	return tsv_run_files("plan", fixed, sizeof fixed / sizeof fixed[0],
	    PLAN_DIR, files, 1);
}
