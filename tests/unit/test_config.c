/* test_config.c: unit tests of lib/config.c; data/config/valid/ must load
 * (and match NAME.export), data/config/invalid/ must fail as NAME.expect. */
#include <sys/stat.h>

#include <errno.h>
#include <fnmatch.h>
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
#include <jansson.h>

#include "config.h"
#include "tsv.h"
#include "xmalloc.h"

#define CONFIG_DIR	TEST_DATADIR "/config"
#define MIN_VALID	8	/* the table must not silently shrink */
#define MIN_INVALID	30

/* Return the contents of path, or NULL if it cannot be read. */
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

/* Return path with its suffix from replaced by to. */
static char *
swap_suffix(const char *path, const char *from, const char *to)
{
	size_t	 n = strlen(path), nf = strlen(from);

	assert_true(n >= nf && strcmp(path + n - nf, from) == 0);
	return xasprintf("%.*s%s", (int)(n - nf), path, to);
}

static int
path_exists(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0;
}

static void
print_diag(const char *what, const struct diag *d)
{
	size_t	 i;

	for (i = 0; i < d->n; i++)
		print_error("%s[%zu]: %s\n", what, i, d->msgs[i]);
}

/*
 * Compare the messages in d with the lines of the file expect: one line
 * per message, in order; "#" lines are comments; a line "~PATTERN" is an
 * fnmatch(3) pattern, for text that another module words (durations).
 */
static void
check_messages(const struct diag *d, const char *expect)
{
	char	*text, *line, *next, **want = NULL;
	size_t	 nwant = 0, i;
	int	 ok;

	text = read_file(expect);
	if (text == NULL)
		fail_msg("cannot read %s: %s", expect, strerror(errno));
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '#' || *line == '\0')
			continue;
		want = xreallocarray(want, nwant + 1, sizeof *want);
		want[nwant++] = line;
	}
	ok = nwant == d->n;
	for (i = 0; ok && i < nwant; i++) {
		if (want[i][0] == '~')
			ok = fnmatch(want[i] + 1, d->msgs[i], 0) == 0;
		else
			ok = strcmp(want[i], d->msgs[i]) == 0;
	}
	if (!ok) {
		for (i = 0; i < nwant; i++)
			print_error("want[%zu]: %s\n", i, want[i]);
		print_diag("got", d);
	}
	free(want);
	free(text);
	assert_true(ok);
}

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
assert_kvs_equal(const struct cfg_kv *a, size_t na, const struct cfg_kv *b,
    size_t nb)
{
	size_t	 i;

	assert_int_equal(na, nb);
	for (i = 0; i < na; i++) {
		assert_string_equal(a[i].key, b[i].key);
		assert_string_equal(a[i].value, b[i].value);
	}
}

static void
assert_list_equal(char **a, size_t na, char **b, size_t nb)
{
	size_t	 i;

	assert_int_equal(na, nb);
	for (i = 0; i < na; i++)
		assert_string_equal(a[i], b[i]);
}

/* Fail unless a and b hold the same configuration, field by field. */
static void
assert_config_equal(const struct config *a, const struct config *b)
{
	const struct cfg_dataset	*da, *db;
	const struct cfg_job		*ja, *jb;
	size_t				 i, k;

	assert_int_equal(a->ndatasets, b->ndatasets);
	for (i = 0; i < a->ndatasets; i++) {
		da = &a->datasets[i];
		db = &b->datasets[i];
		assert_string_equal(da->id, db->id);
		for (k = 0; k < CFG_NATTRS; k++)
			assert_true(str_eq(da->attrs[k], db->attrs[k]));
		assert_kvs_equal(da->extra, da->nextra, db->extra, db->nextra);
	}
	assert_int_equal(a->njobs, b->njobs);
	for (i = 0; i < a->njobs; i++) {
		ja = &a->jobs[i];
		jb = &b->jobs[i];
		assert_string_equal(ja->id, jb->id);
		assert_list_equal(ja->inputs, ja->ninputs, jb->inputs,
		    jb->ninputs);
		assert_list_equal(ja->outputs, ja->noutputs, jb->outputs,
		    jb->noutputs);
		assert_kvs_equal(ja->params, ja->nparams, jb->params,
		    jb->nparams);
		assert_int_equal(ja->paused, jb->paused);
		assert_int_equal(ja->max_attempts, jb->max_attempts);
		assert_int_equal(ja->timeout_secs, jb->timeout_secs);
		assert_int_equal(ja->order, jb->order);
		assert_int_equal(ja->max_running, jb->max_running);
		assert_true(str_eq(ja->owner, jb->owner));
	}
}

static void
assert_strs_sorted(char **s, size_t n)
{
	size_t	 i;

	for (i = 1; i < n; i++)
		assert_true(strcmp(s[i - 1], s[i]) < 0);
}

static void
assert_kvs_sorted(const struct cfg_kv *kv, size_t n)
{
	size_t	 i;

	for (i = 1; i < n; i++)
		assert_true(strcmp(kv[i - 1].key, kv[i].key) < 0);
}

/* Fail unless every array of c is in canonical (strictly ascending) order. */
static void
assert_config_sorted(const struct config *c)
{
	size_t	 i;

	for (i = 0; i < c->ndatasets; i++) {
		if (i > 0)
			assert_true(strcmp(c->datasets[i - 1].id,
			    c->datasets[i].id) < 0);
		assert_kvs_sorted(c->datasets[i].extra, c->datasets[i].nextra);
	}
	for (i = 0; i < c->njobs; i++) {
		if (i > 0)
			assert_true(strcmp(c->jobs[i - 1].id,
			    c->jobs[i].id) < 0);
		assert_strs_sorted(c->jobs[i].inputs, c->jobs[i].ninputs);
		assert_strs_sorted(c->jobs[i].outputs, c->jobs[i].noutputs);
		assert_kvs_sorted(c->jobs[i].params, c->jobs[i].nparams);
	}
}

/* Fail unless c survives config_to_json and config_from_json unchanged. */
static void
assert_round_trip(const struct config *c)
{
	struct diag	 d = { NULL, 0 };
	struct config	*c2;
	json_t		*j, *j2;
	char		*s, *s2;

	j = config_to_json(c);
	assert_non_null(j);
	c2 = config_from_json(j, "round-trip", &d);
	print_diag("round-trip", &d);
	assert_int_equal(d.n, 0);
	assert_non_null(c2);
	assert_config_equal(c, c2);
	j2 = config_to_json(c2);
	assert_non_null(j2);
	s = json_dumps(j, 0);
	s2 = json_dumps(j2, 0);
	assert_string_equal(s, s2);
	free(s2);
	free(s);
	json_decref(j2);
	json_decref(j);
	config_free(c2);
}

static struct config *
load_ok(const char *path)
{
	struct diag	 d = { NULL, 0 };
	struct config	*c;

	c = config_load_file(path, &d);
	print_diag(path, &d);
	assert_int_equal(d.n, 0);
	assert_non_null(c);
	return c;
}

/* A valid file loads without messages, sorted, round-trips, and exports
 * as NAME.export when there is one. */
static void
test_valid_file(void **state)
{
	const char	*path = *state;
	struct config	*c;
	json_t		*j;
	char		*export, *want, *got;

	c = load_ok(path);
	assert_config_sorted(c);
	assert_round_trip(c);
	export = swap_suffix(path, ".json", ".export");
	if ((want = read_file(export)) != NULL) {
		j = config_to_json(c);
		assert_non_null(j);
		got = json_dumps(j, JSON_INDENT(2));
		assert_non_null(got);
		if (strcmp(got, want) != 0 && (strlen(got) + 1 !=
		    strlen(want) || strncmp(got, want, strlen(got)) != 0))
			fail_msg("%s differs; got:\n%s", export, got);
		free(got);
		json_decref(j);
		free(want);
	}
	free(export);
	config_free(c);
}

/* Run from inside invalid/: messages name NAME.json. */
static int
enter_invalid(void **state)
{
	*state = strrchr(*state, '/') + 1;
	return chdir("invalid");
}

static int
leave_invalid(void **state)
{
	(void)state;
	return chdir("..");
}

/* An invalid file fails with exactly the messages of NAME.expect. */
static void
test_invalid_file(void **state)
{
	const char	*path = *state;
	struct diag	 d = { NULL, 0 };
	struct config	*c;
	char		*expect;

	c = config_load_file(path, &d);
	assert_null(c);
	assert_true(d.n > 0);
	expect = swap_suffix(path, ".json", ".expect");
	check_messages(&d, expect);
	free(expect);
	diag_clear(&d);
}

/* Every case has its pair, and none went missing. */
static void
test_cases_present(void **state)
{
	glob_t	 g;
	size_t	 i;
	char	*other;

	(void)state;
	assert_int_equal(glob("valid/*.json", 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= MIN_VALID);
	globfree(&g);
	assert_int_equal(glob("invalid/*.json", 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= MIN_INVALID);
	for (i = 0; i < g.gl_pathc; i++) {
		other = swap_suffix(g.gl_pathv[i], ".json", ".expect");
		if (!path_exists(other))
			fail_msg("%s has no .expect", g.gl_pathv[i]);
		free(other);
	}
	globfree(&g);
	if (glob("*/*.expect", 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++) {
			other = swap_suffix(g.gl_pathv[i], ".expect", ".json");
			if (!path_exists(other))
				fail_msg("%s has no .json", g.gl_pathv[i]);
			free(other);
		}
		globfree(&g);
	}
	if (glob("valid/*.export", 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++) {
			other = swap_suffix(g.gl_pathv[i], ".export", ".json");
			if (!path_exists(other))
				fail_msg("%s has no .json", g.gl_pathv[i]);
			free(other);
		}
		globfree(&g);
	}
}

static void
test_defaults(void **state)
{
	struct config	*c;
	struct cfg_job	*j;
	size_t		 i;

	(void)state;
	c = load_ok("valid/defaults.json");
	assert_int_equal(c->ndatasets, 1);
	for (i = 0; i < CFG_NATTRS; i++)
		assert_null(c->datasets[0].attrs[i]);
	assert_int_equal(c->datasets[0].nextra, 0);
	assert_non_null(j = config_job(c, "j"));
	assert_int_equal(j->ninputs, 1);
	assert_int_equal(j->noutputs, 0);
	assert_int_equal(j->nparams, 0);
	assert_false(j->paused);
	assert_int_equal(j->max_attempts, CFG_DEFAULT_MAX_ATTEMPTS);
	assert_int_equal(j->timeout_secs, 0);
	assert_int_equal(j->order, ORDER_OLDEST_FIRST);
	assert_int_equal(j->max_running, 0);
	assert_null(j->owner);
	config_free(c);
}

static const char *
param(const struct cfg_job *j, const char *key)
{
	size_t	 i;

	for (i = 0; i < j->nparams; i++) {
		if (strcmp(j->params[i].key, key) == 0)
			return j->params[i].value;
	}
	return NULL;
}

/* Every setting, and parameters given as numbers or booleans, as text. */
static void
test_full_values(void **state)
{
	struct config		*c;
	struct cfg_dataset	*ds;
	struct cfg_job		*j;

	(void)state;
	c = load_ok("valid/full.json");
	assert_non_null(j = config_job(c, "report"));
	assert_string_equal(param(j, "BIG"), "12345678901234");
	assert_string_equal(param(j, "NEG"), "-7");
	assert_string_equal(param(j, "RATIO"), "0.1");
	assert_string_equal(param(j, "DRY_RUN"), "false");
	assert_string_equal(param(j, "VERBOSE"), "true");
	assert_string_equal(param(j, "EMPTY"), "");
	assert_string_equal(param(j, "TITLE"), "Sales \"daily\"\treport\n");
	assert_string_equal(param(j, "UNICODE"), "caf\xc3\xa9 \xe2\x98\x83");
	assert_true(j->paused);
	assert_int_equal(j->max_attempts, 1000);
	assert_int_equal(j->timeout_secs, 90);
	assert_int_equal(j->order, ORDER_LATEST_ONLY);
	assert_int_equal(j->max_running, 100000);
	assert_string_equal(j->owner, "ann@example.invalid");
	assert_int_equal(j->ninputs, 2);
	assert_string_equal(j->inputs[0], "sales_clean");
	assert_string_equal(j->inputs[1], CONFIG_TODAY);
	assert_non_null(j = config_job(c, "clean"));
	assert_int_equal(j->timeout_secs, 2 * 86400);
	assert_int_equal(j->order, ORDER_NEWEST_FIRST);
	assert_int_equal(j->max_running, 1);
	assert_int_equal(j->max_attempts, 1);
	assert_non_null(j = config_job(c, "ingest"));
	assert_int_equal(j->max_running, 0);
	assert_int_equal(j->timeout_secs, 0);
	assert_non_null(ds = config_dataset(c, "sales_raw"));
	assert_string_equal(ds->attrs[0], "");
	assert_null(ds->attrs[1]);
	assert_string_equal(ds->attrs[5], "AAAA+/==");
	assert_non_null(ds = config_dataset(c, "report_out"));
	assert_int_equal(ds->nextra, 3);
	assert_string_equal(ds->extra[0].key, "bucket");
	assert_string_equal(ds->extra[2].value, "https://r.invalid/?a=1&b=2");
	assert_non_null(ds = config_dataset(c, "sales_clean"));
	assert_string_equal(ds->attrs[3], "sales");
	assert_int_equal(ds->nextra, 0);
	config_free(c);
}

/* A file in any order loads into canonical order. */
static void
test_sorted_on_load(void **state)
{
	struct config	*c;
	struct cfg_job	*j;

	(void)state;
	c = load_ok("valid/unsorted.json");
	assert_int_equal(c->ndatasets, 3);
	assert_string_equal(c->datasets[0].id, "alpha");
	assert_string_equal(c->datasets[1].id, "mid");
	assert_string_equal(c->datasets[2].id, "zeta");
	assert_string_equal(c->datasets[2].extra[0].key, "a");
	assert_string_equal(c->datasets[2].extra[0].value, "3");
	assert_string_equal(c->datasets[2].extra[2].key, "z");
	assert_int_equal(c->njobs, 3);
	assert_string_equal(c->jobs[0].id, "aa");
	assert_string_equal(c->jobs[1].id, "mm");
	j = &c->jobs[2];
	assert_string_equal(j->id, "zz");
	assert_string_equal(j->inputs[0], "alpha");
	assert_string_equal(j->inputs[2], "zeta");
	assert_string_equal(j->params[0].key, "A");
	assert_string_equal(j->params[0].value, "2");
	assert_string_equal(j->params[2].key, "Z");
	assert_string_equal(c->jobs[0].outputs[0], "alpha");
	config_free(c);
}

/* Make room for element n + 1, doubling at powers of two (linear cost). */
static void *
grow(void *p, size_t n, size_t size)
{
	if (n == 0 || (n & (n - 1)) == 0)
		p = xreallocarray(p, n == 0 ? 1 : n * 2, size);
	return p;
}

static void
add_kv(struct cfg_kv **kv, size_t *n, const char *k, const char *v)
{
	*kv = grow(*kv, *n, sizeof **kv);
	(*kv)[*n].key = xstrdup(k);
	(*kv)[*n].value = xstrdup(v);
	(*n)++;
}

static void
add_str(char ***list, size_t *n, const char *s)
{
	*list = grow(*list, *n, sizeof **list);
	(*list)[(*n)++] = xstrdup(s);
}

static struct cfg_dataset *
add_dataset(struct config *c, const char *id)
{
	struct cfg_dataset	*ds;

	c->datasets = grow(c->datasets, c->ndatasets, sizeof *c->datasets);
	ds = &c->datasets[c->ndatasets++];
	memset(ds, 0, sizeof *ds);
	ds->id = xstrdup(id);
	return ds;
}

static struct cfg_job *
add_job(struct config *c, const char *id)
{
	struct cfg_job	*j;

	c->jobs = grow(c->jobs, c->njobs, sizeof *c->jobs);
	j = &c->jobs[c->njobs++];
	memset(j, 0, sizeof *j);
	j->id = xstrdup(id);
	j->max_attempts = CFG_DEFAULT_MAX_ATTEMPTS;
	return j;
}

/* config_sort puts a configuration built by hand in canonical order. */
static void
test_sort_in_memory(void **state)
{
	struct config		*c;
	struct cfg_dataset	*ds;
	struct cfg_job		*j;
	struct diag		 d = { NULL, 0 };

	(void)state;
	c = xcalloc(1, sizeof *c);
	ds = add_dataset(c, "y");
	add_kv(&ds->extra, &ds->nextra, "k2", "v2");
	add_kv(&ds->extra, &ds->nextra, "k1", "v1");
	add_dataset(c, "x");
	j = add_job(c, "second");
	add_str(&j->inputs, &j->ninputs, "y");
	add_str(&j->inputs, &j->ninputs, "x");
	add_kv(&j->params, &j->nparams, "B", "2");
	add_kv(&j->params, &j->nparams, "A", "1");
	j = add_job(c, "first");
	add_str(&j->outputs, &j->noutputs, "y");
	add_str(&j->outputs, &j->noutputs, "x");
	config_sort(c);
	assert_config_sorted(c);
	assert_string_equal(c->datasets[0].id, "x");
	assert_string_equal(c->datasets[1].extra[0].value, "v1");
	assert_string_equal(c->jobs[0].id, "first");
	assert_string_equal(c->jobs[0].outputs[0], "x");
	assert_string_equal(c->jobs[1].inputs[0], "x");
	assert_string_equal(c->jobs[1].params[0].value, "1");
	assert_int_equal(config_check(c, "mem", &d), 0);
	assert_int_equal(d.n, 0);
	assert_non_null(config_dataset(c, "y"));
	assert_null(config_dataset(c, "z"));
	assert_non_null(config_job(c, "second"));
	assert_null(config_job(c, "third"));
	assert_round_trip(c);
	config_free(c);
}

static void
test_lookup_empty(void **state)
{
	struct config	 c;

	(void)state;
	memset(&c, 0, sizeof c);
	assert_null(config_dataset(&c, "a"));
	assert_null(config_job(&c, "a"));
	config_free(NULL);
}

static void
test_order_names(void **state)
{
	static const char *const names[] = {
		"oldest-first", "newest-first", "latest-only"
	};
	enum cfg_order	 o;
	size_t		 i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_string_equal(config_order_name((enum cfg_order)i),
		    names[i]);
		o = (enum cfg_order)99;
		assert_int_equal(config_order_parse(names[i], &o), 0);
		assert_int_equal(o, i);
	}
	assert_int_equal(config_order_parse("Oldest-First", &o), -1);
	assert_int_equal(config_order_parse("", &o), -1);
	assert_int_equal(config_order_parse("oldest-first ", &o), -1);
	assert_string_equal(config_order_name((enum cfg_order)7), "unknown");
}

/* Load text that must fail with the one message want. */
static void
assert_load_fails(const char *text, const char *want)
{
	struct diag	 d = { NULL, 0 };

	assert_null(config_load_string(text, "mem", &d));
	if (d.n != 1)
		print_diag("got", &d);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msgs[0], want);
	diag_clear(&d);
}

static void
assert_load_ok(const char *text)
{
	struct diag	 d = { NULL, 0 };
	struct config	*c;

	c = config_load_string(text, "mem", &d);
	print_diag("got", &d);
	assert_int_equal(d.n, 0);
	assert_non_null(c);
	config_free(c);
}

/* Values of CONFIG_MAXVALUE bytes load; one byte more does not. */
static void
test_value_limits(void **state)
{
	static const struct {
		const char	*pre, *post, *path;
	} t[] = {
		{ "{\"datasets\": {\"d\": {\"hostname\": \"", "\"}}}",
		    "datasets.d.hostname" },
		{ "{\"datasets\": {\"d\": {\"encryptedpass\": \"", "\"}}}",
		    "datasets.d.encryptedpass" },
		{ "{\"datasets\": {\"d\": {\"extra\": {\"x\": \"", "\"}}}}",
		    "datasets.d.extra.x" },
		{ "{\"jobs\": {\"j\": {\"params\": {\"P\": \"", "\"}}}}",
		    "jobs.j.params.P" },
		{ "{\"jobs\": {\"j\": {\"owner\": \"", "\"}}}",
		    "jobs.j.owner" }
	};
	char	 big[CONFIG_MAXVALUE + 2], *text, *want;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		memset(big, 'v', CONFIG_MAXVALUE);
		big[CONFIG_MAXVALUE] = '\0';
		text = xasprintf("%s%s%s", t[i].pre, big, t[i].post);
		assert_load_ok(text);
		free(text);
		big[CONFIG_MAXVALUE] = 'v';
		big[CONFIG_MAXVALUE + 1] = '\0';
		text = xasprintf("%s%s%s", t[i].pre, big, t[i].post);
		want = xasprintf("mem: %s: value is %d bytes long, more than "
		    "the limit of %d", t[i].path, CONFIG_MAXVALUE + 1,
		    CONFIG_MAXVALUE);
		assert_load_fails(text, want);
		free(want);
		free(text);
	}
}

/* A value as long as the limit is not echoed back whole in a message. */
static void
test_long_value_quoted_short(void **state)
{
	struct diag	 d = { NULL, 0 };
	char		 key[201], *text;

	(void)state;
	memset(key, 'k', 200);
	key[200] = '\0';
	text = xasprintf("{\"%s\": 1}", key);
	assert_null(config_load_string(text, "mem", &d));
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msgs[0], "mem: unknown key \"kkkkkkkkkkkkkkkk"
	    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\"...");
	diag_clear(&d);
	free(text);
	/* Cut on a character boundary: 63 bytes then a 2-byte character. */
	memset(key, 'k', 63);
	memcpy(key + 63, "\xc3\xa9\xc3\xa9", 5);
	text = xasprintf("{\"jobs\": {\"%s\": {}}}", key);
	assert_null(config_load_string(text, "mem", &d));
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msgs[0], "mem: jobs: invalid job id \"kkkkkkkk"
	    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\"... "
	    "(expected [A-Za-z_][A-Za-z0-9_]*, at most 63 bytes)");
	diag_clear(&d);
	free(text);
}

/* config_check on configurations built by hand (no indexes there). */
static void
test_check_in_memory(void **state)
{
	struct config		*c;
	struct cfg_job		*j;
	struct diag		 d = { NULL, 0 };
	static const char *const want[] = {
		"mem: datasets.d: duplicate dataset id",
		"mem: jobs.a: duplicate job id",
		"mem: jobs.a.inputs: unknown dataset \"nope\"",
		"mem: jobs.a.outputs: duplicate dataset \"d\"",
		"mem: jobs.a.outputs: \"today\" is the pseudo-dataset of the "
		    "current date and cannot be an output",
		"mem: jobs.b.outputs: unknown dataset \"ghost\"",
		"mem: datasets.d: output of more than one job: a, b",
		"mem: jobs.b: dataset \"e\" is both an input and an output "
		    "(cycle: b -> b)",
		"mem: cycle: a -> c -> a"
	};
	size_t	 i;

	(void)state;
	c = xcalloc(1, sizeof *c);
	add_dataset(c, "d");
	add_dataset(c, "e");
	add_dataset(c, "d");
	add_dataset(c, "f");
	j = add_job(c, "a");
	add_str(&j->inputs, &j->ninputs, "nope");
	add_str(&j->inputs, &j->ninputs, "today");
	add_str(&j->inputs, &j->ninputs, "f");
	add_str(&j->outputs, &j->noutputs, "d");
	add_str(&j->outputs, &j->noutputs, "d");
	add_str(&j->outputs, &j->noutputs, "today");
	j = add_job(c, "b");
	add_str(&j->inputs, &j->ninputs, "e");
	add_str(&j->outputs, &j->noutputs, "d");
	add_str(&j->outputs, &j->noutputs, "e");
	add_str(&j->outputs, &j->noutputs, "ghost");
	j = add_job(c, "c");
	add_str(&j->inputs, &j->ninputs, "d");
	add_str(&j->outputs, &j->noutputs, "f");
	add_job(c, "a");
	assert_int_equal(config_check(c, "mem", &d), -1);
	if (d.n != sizeof want / sizeof want[0])
		print_diag("got", &d);
	assert_int_equal(d.n, sizeof want / sizeof want[0]);
	for (i = 0; i < d.n; i++)
		assert_string_equal(d.msgs[i], want[i]);
	diag_clear(&d);
	/* No origin, no prefix; a NULL diag is allowed. */
	assert_int_equal(config_check(c, NULL, &d), -1);
	assert_string_equal(d.msgs[0], "datasets.d: duplicate dataset id");
	diag_clear(&d);
	assert_int_equal(config_check(c, NULL, NULL), -1);
	config_free(c);
}

/*
 * The environment names a configuration would give jobs: interpreters' and
 * libraries' variables are refused, as parameters and as <dataset>_<attr>
 * (dataset NODE + attribute OPTIONS), unless the host allows them; names
 * dataflow, the shell or the loader own are refused when loading, whatever
 * the host allows.
 */
static void
test_check_env(void **state)
{
	static const char text[] =
	    "{\"datasets\": {\"NODE\": {\"extra\": {\"OPTIONS\": \"-r x\"}},"
	    " \"web\": {\"hostname\": \"h\", \"extra\": {\"http_proxy\": \"p\","
	    " \"path\": \"/d\"}}, \"sales\": {\"username\": \"u\"}},"
	    " \"jobs\": {\"j\": {\"inputs\": [\"NODE\", \"web\", \"sales\"],"
	    " \"params\": {\"PERL5OPT\": \"-d\", \"PGHOST\": \"evil\","
	    " \"BATCH\": \"1\"}}}}";
	static const char *const want[] = {
		"mem: datasets.NODE: dataset id \"NODE\" makes variable "
		    "NODE_datasetid, which is never exported to jobs (NODE_*: "
		    "Node.js options and modules); a host may allow it with "
		    "env_allow= in dataflow.properties",
		"mem: datasets.NODE: extra attribute \"OPTIONS\" makes variable "
		    "NODE_OPTIONS, which is never exported to jobs (NODE_*: "
		    "Node.js options and modules); a host may allow it with "
		    "env_allow= in dataflow.properties",
		"mem: jobs.j.params: variable PERL5OPT is never exported to "
		    "jobs (PERL*: Perl's options, modules and debugger); a "
		    "host may allow it with env_allow= in dataflow.properties",
		"mem: jobs.j.params: variable PGHOST is never exported to "
		    "jobs (PG*: libpq's connection settings (where the job's "
		    "database password goes)); a host may allow it with "
		    "env_allow= in dataflow.properties"
	};
	static const char *const allow[] = {
		"NODE_OPTIONS", "NODE_datasetid", "NODE_hostname",
		"NODE_database", "NODE_schemaname", "NODE_tablename",
		"NODE_username", "NODE_encryptedpass", "NODE_itemtype",
		"NODE_password", "PERL5OPT", "PGHOST", "web_http_proxy", NULL
	};
	struct config	*c;
	struct diag	 d = { NULL, 0 };
	size_t		 i;

	(void)state;
	c = config_load_string(text, "mem", &d);
	assert_non_null(c);
	assert_int_equal(config_check_env(c, "mem", NULL, &d), -1);
	/* The four above, and web_http_proxy (any case). */
	if (d.n != sizeof want / sizeof want[0] + 1)
		print_diag("got", &d);
	assert_int_equal(d.n, sizeof want / sizeof want[0] + 1);
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_string_equal(d.msgs[i < 2 ? i : i + 1], want[i]);
	assert_non_null(strstr(d.msgs[2], "makes variable web_http_proxy"));
	diag_clear(&d);
	/* A host that allows them all. */
	assert_int_equal(config_check_env(c, "mem", allow, &d), 0);
	assert_int_equal(d.n, 0);
	config_free(c);

	/* Names no host may allow are refused when loading. */
	assert_null(config_load_string("{\"jobs\": {\"j\": {\"params\": "
	    "{\"LD_AUDIT\": \"x\"}}}}", "mem", &d));
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msgs[0], "mem: jobs.j.params: parameter name "
	    "\"LD_AUDIT\" is reserved (LD_*: the dynamic loader)");
	diag_clear(&d);
	c = config_load_string("{\"datasets\": {\"BASH\": {\"extra\": "
	    "{\"ENV\": \"$(id)\"}}}}", "mem", &d);
	assert_non_null(c);
	assert_int_equal(config_check_env(c, NULL, allow, &d), -1);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msgs[0], "datasets.BASH: extra attribute "
	    "\"ENV\" makes variable BASH_ENV, which is never exported to "
	    "jobs (a shell runs it first)");
	diag_clear(&d);
	config_free(c);
}

/* A cycle through thousands of jobs: found once, without deep recursion. */
static void
test_long_cycle(void **state)
{
	struct config	*c;
	struct cfg_job	*j;
	struct diag	 d = { NULL, 0 };
	const char	*tail = " -> j19999 -> j00000";
	char		 id[32], next[32];
	size_t		 i, n = 20000, len;

	(void)state;
	c = xcalloc(1, sizeof *c);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof id, "d%05zu", i);
		add_dataset(c, id);
	}
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof id, "j%05zu", i);
		j = add_job(c, id);
		snprintf(id, sizeof id, "d%05zu", i);
		snprintf(next, sizeof next, "d%05zu", i + 1);
		add_str(&j->inputs, &j->ninputs, id);
		if (i + 1 < n)
			add_str(&j->outputs, &j->noutputs, next);
	}
	assert_int_equal(config_check(c, "mem", &d), 0);
	/* Close the chain: the last job feeds the first. */
	add_str(&c->jobs[n - 1].outputs, &c->jobs[n - 1].noutputs, "d00000");
	assert_int_equal(config_check(c, "mem", &d), -1);
	assert_int_equal(d.n, 1);
	assert_true(strncmp(d.msgs[0], "mem: cycle: j00000 -> j00001 -> ",
	    32) == 0);
	len = strlen(d.msgs[0]);
	assert_true(len > strlen(tail));
	assert_string_equal(d.msgs[0] + len - strlen(tail), tail);
	diag_clear(&d);
	config_free(c);
}

/* Nesting far beyond the limit, built in memory, is refused quickly. */
static void
test_deep_in_memory(void **state)
{
	struct diag	 d = { NULL, 0 };
	json_t		*root, *v;
	int		 i;

	(void)state;
	v = json_array();
	for (i = 0; i < 1000; i++)
		v = json_pack("[o]", v);
	root = json_pack("{s:{s:{s:{s:o}}}}", "datasets", "a", "extra", "x",
	    v);
	assert_non_null(root);
	assert_null(config_from_json(root, "mem", &d));
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msgs[0], "mem: datasets.a.extra.x[0][0][0][0]"
	    "[0][0][0][0][0][0][0][0]: nested deeper than 16 levels");
	diag_clear(&d);
	json_decref(root);
}

static void
test_file_errors(void **state)
{
	struct diag	 d = { NULL, 0 };

	(void)state;
	assert_null(config_load_file("no-such-file.json", &d));
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msgs[0],
	    "could not open \"no-such-file.json\": No such file or directory");
	diag_clear(&d);
	assert_null(config_load_file("valid", &d));
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msgs[0],
	    "could not read \"valid\": Is a directory");
	diag_clear(&d);
}

/* "-" reads standard input, named <stdin> in messages. */
static void
test_stdin(void **state)
{
	struct diag	 d = { NULL, 0 };
	struct config	*c;

	(void)state;
	assert_non_null(freopen("valid/defaults.json", "r", stdin));
	c = config_load_file("-", &d);
	assert_int_equal(d.n, 0);
	assert_non_null(c);
	assert_non_null(config_job(c, "j"));
	config_free(c);
	assert_non_null(freopen("invalid/lists.json", "r", stdin));
	assert_null(config_load_file("-", &d));
	assert_true(d.n > 1);
	assert_string_equal(d.msgs[0], "<stdin>: jobs.load_sales.inputs[1]: "
	    "unknown dataset \"sales_rw\" (did you mean \"sales_raw\"?)");
	diag_clear(&d);
	assert_non_null(freopen("invalid/syntax.json", "r", stdin));
	assert_null(config_load_file("-", &d));
	assert_int_equal(d.n, 1);
	assert_true(strncmp(d.msgs[0], "<stdin>:3:", 10) == 0);
	diag_clear(&d);
}

static void
test_load_string(void **state)
{
	struct diag	 d = { NULL, 0 };
	struct config	*c;

	(void)state;
	assert_null(config_load_string("{\"jobs\": 1", NULL, &d));
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msgs[0],
	    "<string>:1:10: '}' expected near end of file");
	diag_clear(&d);
	c = config_load_string("{\"datasets\": {\"d\": {}}}", "x", &d);
	assert_non_null(c);
	assert_int_equal(d.n, 0);
	assert_int_equal(c->ndatasets, 1);
	config_free(c);
}

static void
test_from_json_types(void **state)
{
	struct diag	 d = { NULL, 0 };
	struct config	*c;
	json_t		*j;

	(void)state;
	assert_null(config_from_json(NULL, "x", &d));
	j = json_integer(1);
	assert_null(config_from_json(j, NULL, &d));
	json_decref(j);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.msgs[0], "x: expected an object with "
	    "\"datasets\" and \"jobs\", got nothing");
	assert_string_equal(d.msgs[1], "expected an object with "
	    "\"datasets\" and \"jobs\", got an integer");
	diag_clear(&d);
	/* Without a diag: still NULL on errors, a config otherwise. */
	j = json_pack("{s:i}", "bogus", 1);
	assert_null(config_from_json(j, "x", NULL));
	json_decref(j);
	j = json_pack("{s:{}}", "jobs");
	assert_non_null(c = config_from_json(j, "x", NULL));
	config_free(c);
	json_decref(j);
	/* A NUL inside a value of a document built in memory. */
	j = json_pack("{s:{s:{s:s#}}}", "datasets", "d", "hostname", "a\0b",
	    (int)3);
	assert_null(config_from_json(j, "x", &d));
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msgs[0],
	    "x: datasets.d.hostname: value contains a NUL byte");
	diag_clear(&d);
	json_decref(j);
}

static void
test_diag(void **state)
{
	struct diag	 d = { NULL, 0 };

	(void)state;
	diag_clear(&d);
	diag_add(&d, "%s:%d", "a", 1);
	diag_add(&d, "plain");
	assert_int_equal(d.n, 2);
	assert_string_equal(d.msgs[0], "a:1");
	assert_string_equal(d.msgs[1], "plain");
	diag_clear(&d);
	assert_int_equal(d.n, 0);
	assert_null(d.msgs);
}

/* The export of a value that JSON cannot carry (bad UTF-8) fails. */
static void
test_to_json_bad_utf8(void **state)
{
	struct config	*c;
	json_t		*j;

	(void)state;
	c = xcalloc(1, sizeof *c);
	add_dataset(c, "d")->attrs[0] = xstrdup("\xff\xfe");
	assert_null(config_to_json(c));
	free(c->datasets[0].attrs[0]);
	c->datasets[0].attrs[0] = xstrdup("ok");
	assert_non_null(j = config_to_json(c));
	json_decref(j);
	config_free(c);
}

/* Defaults are left out of the export; everything else is kept. */
static void
test_export_fields(void **state)
{
	struct config	*c;
	struct cfg_job	*j;
	json_t		*o, *jo;
	char		*s;

	(void)state;
	c = xcalloc(1, sizeof *c);
	add_job(c, "plain");
	j = add_job(c, "set");
	j->paused = true;
	j->max_attempts = 5;
	j->timeout_secs = 5400;
	j->order = ORDER_NEWEST_FIRST;
	j->max_running = 2;
	j->owner = xstrdup("");
	config_sort(c);
	assert_non_null(o = config_to_json(c));
	assert_non_null(s = json_dumps(o, JSON_COMPACT));
	assert_string_equal(s, "{\"datasets\":{},\"jobs\":{\"plain\":{},"
	    "\"set\":{\"paused\":true,\"max_attempts\":5,\"timeout\":\"90m\","
	    "\"order\":\"newest-first\",\"max_running\":2,\"owner\":\"\"}}}");
	free(s);
	jo = json_object_get(json_object_get(o, "jobs"), "plain");
	assert_int_equal(json_object_size(jo), 0);
	json_decref(o);
	assert_round_trip(c);
	config_free(c);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_cases_present),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_values),
		cmocka_unit_test(test_sorted_on_load),
		cmocka_unit_test(test_sort_in_memory),
		cmocka_unit_test(test_lookup_empty),
		cmocka_unit_test(test_order_names),
		cmocka_unit_test(test_value_limits),
		cmocka_unit_test(test_long_value_quoted_short),
		cmocka_unit_test(test_check_in_memory),
		cmocka_unit_test(test_check_env),
		cmocka_unit_test(test_long_cycle),
		cmocka_unit_test(test_deep_in_memory),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_load_string),
		cmocka_unit_test(test_from_json_types),
		cmocka_unit_test(test_diag),
		cmocka_unit_test(test_to_json_bad_utf8),
		cmocka_unit_test(test_export_fields),
	};
	static const struct tsv_files files[] = {
		{ "valid/*.json", NULL, test_valid_file, NULL, NULL },
		{ "invalid/*.json", NULL, test_invalid_file, enter_invalid,
		    leave_invalid },
	};

	/* The fixed tests name their files from here. */
	if (chdir(CONFIG_DIR) == -1) {
		fprintf(stderr, "%s: %s\n", CONFIG_DIR, strerror(errno));
		return 1;
	}
	return tsv_run_files("config", fixed, sizeof fixed / sizeof fixed[0],
	    CONFIG_DIR, files, 2);
}
