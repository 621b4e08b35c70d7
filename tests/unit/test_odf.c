/* test_odf.c: unit tests of lib/odf.c; the cases are in data/odf.tsv: the
 * rows of OpenDataFlow's three tables and what an import makes of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "config.h"
#include "odf.h"
#include "strbuf.h"
#include "tsv.h"
#include "xmalloc.h"

#define MAXCOLS	8

/*
 * Give take the rows of field: rows separated by ';', columns by ',', "~"
 * for SQL NULL, "-" for no rows; missing columns are NULL.
 */
static void
give_rows(struct odf *o, const char *field, int ncols,
    void (*take)(struct odf *, const char *const *))
{
	const char	*row[MAXCOLS];
	char		*buf, *p, *line, *col;
	int		 i;

	if (strcmp(field, "-") == 0)
		return;
	buf = p = xstrdup(field);
	while ((line = strsep(&p, ";")) != NULL) {
		for (i = 0; i < MAXCOLS; i++)
			row[i] = NULL;
		for (i = 0; i < ncols && (col = strsep(&line, ",")) != NULL;
		    i++)
			row[i] = strcmp(col, "~") == 0 ? NULL : col;
		take(o, row);
	}
	free(buf);
}

static void
add_list(struct strbuf *sb, const char *sep, char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		strbuf_addf(sb, "%s%s", i > 0 ? sep : "", v[i]);
}

/*
 * Return c as "ds1,ds2@host / job:in1+in2>out{K=V K2=V2},job2:..."
 * (caller frees): every dataset with its hostname if any, every job.
 */
static char *
summary(const struct config *c)
{
	struct strbuf	 sb = STRBUF_INIT;
	size_t		 i, k;

	for (i = 0; i < c->ndatasets; i++) {
		strbuf_addf(&sb, "%s%s", i > 0 ? "," : "",
		    c->datasets[i].id);
		if (c->datasets[i].attrs[0] != NULL)
			strbuf_addf(&sb, "@%s", c->datasets[i].attrs[0]);
	}
	strbuf_addf(&sb, " / ");
	for (i = 0; i < c->njobs; i++) {
		const struct cfg_job *j = &c->jobs[i];

		strbuf_addf(&sb, "%s%s:", i > 0 ? "," : "", j->id);
		add_list(&sb, "+", j->inputs, j->ninputs);
		strbuf_addf(&sb, ">");
		add_list(&sb, "+", j->outputs, j->noutputs);
		for (k = 0; k < j->nparams; k++)
			strbuf_addf(&sb, "%s%s=%s", k == 0 ? "{" : " ",
			    j->params[k].key, j->params[k].value);
		if (j->nparams > 0)
			strbuf_addf(&sb, "}");
	}
	return strbuf_detach(&sb);
}

/* Return the rows of c as "a b c;d e f", or "-" (caller frees). */
static char *
cols_text(const struct odf_cols *c)
{
	struct strbuf	 sb = STRBUF_INIT;
	size_t		 i;

	if (c->n == 0)
		return xstrdup("-");
	for (i = 0; i < c->n; i++)
		strbuf_addf(&sb, "%s%s %s %s", i > 0 ? ";" : "",
		    c->v[0][i], c->v[1][i], c->v[2][i]);
	return strbuf_detach(&sb);
}

/* Return the folded messages of d as "a|b", or "-" (caller frees). */
static char *
messages_text(struct diag *d)
{
	struct strbuf	 sb = STRBUF_INIT;
	json_t		*a, *v;
	size_t		 i;

	a = odf_fold(d);
	if (json_array_size(a) == 0) {
		json_decref(a);
		return xstrdup("-");
	}
	json_array_foreach(a, i, v)
		strbuf_addf(&sb, "%s%s", i > 0 ? "|" : "",
		    json_string_value(v));
	json_decref(a);
	return strbuf_detach(&sb);
}

static void
check(const char *what, const char *want, char *got)
{
	if (strcmp(want, got) != 0)
		fail_msg("%s:\n want: %s\n  got: %s", what, want, got);
	free(got);
}

/*
 * Fields: dataset rows, job rows, status rows; then what is expected: the
 * configuration (summary) or "!" and its first error, the partition
 * statuses, the work, the messages of rows not imported, the notes, and
 * "nsuperseded" (older rows of a partition).
 */
static void
test_table(void **state)
{
	const struct tcase	*c = *state;
	struct odf		*o;
	struct diag		 d = { NULL, 0 };
	char			 n[32];

	o = odf_new();
	give_rows(o, c->f[0], ODF_DATASET_COLS, odf_dataset);
	give_rows(o, c->f[1], ODF_JOB_COLS, odf_job_item);
	if (c->f[3][0] == '!') {
		assert_int_equal(odf_config(o, NULL, &d), -1);
		assert_null(o->want);
		assert_true(d.n > 0);
		check("error", c->f[3] + 1, xstrdup(d.msgs[0]));
		diag_clear(&d);
		odf_free(o);
		return;
	}
	if (odf_config(o, NULL, &d) == -1)
		fail_msg("unexpected error: %s", d.msgs[0]);
	assert_int_equal(d.n, 0);
	give_rows(o, c->f[2], ODF_STATUS_COLS, odf_status);
	odf_finish(o);
	check("configuration", c->f[3], summary(o->want));
	check("partitions", c->f[4], cols_text(&o->parts));
	check("work", c->f[5], cols_text(&o->work));
	check("not imported", c->f[6], messages_text(&o->skipped));
	check("notes", c->f[7], messages_text(&o->notes));
	snprintf(n, sizeof(n), "%zu", o->nsuperseded);
	check("superseded", c->f[8], xstrdup(n));
	odf_free(o);
}

/* The counts follow the rows, whatever their order of arrival. */
static void
test_counts(void **state)
{
	struct diag	 d = { NULL, 0 };
	struct odf	*o;
	static const char *const ds[][ODF_DATASET_COLS] = {
		{ "a", NULL, NULL, NULL, NULL, NULL, NULL },
		{ "b", NULL, NULL, NULL, NULL, NULL, NULL },
	};
	static const char *const jobs[][ODF_JOB_COLS] = {
		{ "j", "IN", "a", NULL },
		{ "j", "OUT", "b", NULL },
	};
	static const char *const st[][ODF_STATUS_COLS] = {
		{ "b", "j", "1", "OUT", "READY" },
		{ "b", "j", "2", "OUT", "FAILED" },
		{ "b", "j", "2", "OUT", "READY" },
		{ "b", "j", "3", "OUT", "RESUBMIT" },
		{ "b", "j", "4", "OUT", "RUNNING" },
	};
	size_t		 i;

	(void)state;
	o = odf_new();
	for (i = 0; i < 2; i++)
		odf_dataset(o, ds[i]);
	for (i = 0; i < 2; i++)
		odf_job_item(o, jobs[i]);
	assert_int_equal(odf_config(o, NULL, &d), 0);
	for (i = 0; i < 5; i++)
		odf_status(o, st[i]);
	odf_finish(o);
	assert_int_equal(o->nrows_datasets, 2);
	assert_int_equal(o->nrows_jobs, 2);
	assert_int_equal(o->nrows_status, 5);
	assert_int_equal(o->parts.n, 4);
	assert_int_equal(o->nparts[0], 1);	/* READY */
	assert_int_equal(o->nparts[1], 2);	/* FAILED, RUNNING */
	assert_int_equal(o->nparts[2], 1);	/* RESUBMIT */
	assert_int_equal(o->nsuperseded, 1);
	assert_int_equal(o->work.n, 4);
	assert_int_equal(o->nwork[ODF_SUCCEEDED], 1);
	assert_int_equal(o->nwork[ODF_FAILED], 2);
	assert_int_equal(o->nwork[ODF_RERUN], 1);
	odf_free(o);
	odf_free(NULL);
}

/* A dataset whose variables a host must allow keeps the import out,
 * until the host allows them (each refusal names one). */
static void
test_env_allow(void **state)
{
	struct diag	 d = { NULL, 0 };
	struct odf	*o;
	static const char *const ds[ODF_DATASET_COLS] = {
		"PGX", "db1", NULL, NULL, NULL, NULL, NULL
	};
	static const char *const item[ODF_JOB_COLS] = {
		"j", "IN", "PGX", NULL
	};
	const char	*p;
	char		**allow = NULL;
	size_t		 n = 0, i;

	(void)state;
	o = odf_new();
	odf_dataset(o, ds);
	odf_job_item(o, item);
	allow = xcalloc(1, sizeof(*allow));
	while (odf_config(o, (const char *const *)allow, &d) == -1) {
		assert_null(o->want);
		assert_true(d.n > 0 && n < 32);
		allow = xreallocarray(allow, n + d.n + 1, sizeof(*allow));
		for (i = 0; i < d.n; i++) {
			p = strstr(d.msgs[i], "makes variable PGX_");
			assert_non_null(p);
			p += strlen("makes variable ");
			allow[n++] = xstrndup(p, strcspn(p, ","));
		}
		allow[n] = NULL;
		diag_clear(&d);
	}
	assert_true(n > 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(o->want->njobs, 1);
	xfree_strv(allow);
	odf_free(o);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_env_allow),
	};

	return tsv_run_group("odf", fixed, sizeof fixed / sizeof fixed[0],
	    TEST_DATADIR "/odf.tsv", 9, test_table);
}
