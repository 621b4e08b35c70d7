/*
 * fuzz_config.c: fuzz target for the declarative configuration: JSON
 * syntax (lib/config.c) and validation (lib/config_check.c), the canonical
 * form written back (lib/config_encode.c) and the plan between two
 * configurations (lib/plan.c). An input holding a line "---" is two
 * configurations: the current one, then the wanted one.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "fuzz.h"
#include "plan.h"

#define ORIGIN		"fuzz.json"
#define SEPARATOR	"\n---\n"

/* Load text; on failure check that every message says where. */
static struct config *
load(const char *text)
{
	struct diag	 d = { NULL, 0 };
	struct config	*c;
	size_t		 i;

	c = config_load_string(text, ORIGIN, &d);
	if (c == NULL) {
		FUZZ_CHECK(d.n > 0);
		for (i = 0; i < d.n; i++)
			FUZZ_CHECK(strncmp(d.msgs[i], ORIGIN,
			    strlen(ORIGIN)) == 0);
	} else
		FUZZ_CHECK(d.n == 0);
	diag_clear(&d);
	return c;
}

/* The canonical form loads back into the same configuration. */
static void
check_round_trip(const struct config *c)
{
	struct config	*c2;
	struct plan	*p;
	json_t		*j, *j2;
	char		*text;

	FUZZ_CHECK(config_check(c, ORIGIN, NULL) == 0);
	j = config_to_json(c);
	FUZZ_CHECK(j != NULL);	/* jansson loaded only valid UTF-8 */
	text = json_dumps(j, JSON_SORT_KEYS);
	FUZZ_CHECK(text != NULL);
	c2 = load(text);
	FUZZ_CHECK(c2 != NULL);
	j2 = config_to_json(c2);
	FUZZ_CHECK(j2 != NULL && json_equal(j, j2));
	/* Nothing to do between a configuration and its round trip. */
	p = plan_compute(c, c2, true, NULL);
	FUZZ_CHECK(p->n == 0);
	plan_free(p);
	/* From nothing everything is added; pruned, everything removed. */
	p = plan_compute(NULL, c, false, NULL);
	FUZZ_CHECK(p->n == c->ndatasets + c->njobs);
	plan_free(p);
	p = plan_compute(c, NULL, true, NULL);
	FUZZ_CHECK(p->n == c->ndatasets + c->njobs);
	plan_free(p);
	json_decref(j2);
	json_decref(j);
	free(text);
	config_free(c2);
}

/* Return whether a string of c other than an encryptedpass contains s. */
static bool
mentions(const struct config *c, const char *s)
{
	const struct cfg_dataset	*ds;
	const struct cfg_job		*job;
	size_t				 i, k;

	for (i = 0; i < c->ndatasets; i++) {
		ds = &c->datasets[i];
		if (strstr(ds->id, s) != NULL)
			return true;
		for (k = 0; k < CFG_NATTRS - 1; k++) {
			if (ds->attrs[k] != NULL && strstr(ds->attrs[k], s))
				return true;
		}
		for (k = 0; k < ds->nextra; k++) {
			if (strstr(ds->extra[k].key, s) != NULL ||
			    strstr(ds->extra[k].value, s) != NULL)
				return true;
		}
	}
	for (i = 0; i < c->njobs; i++) {
		job = &c->jobs[i];
		if (strstr(job->id, s) != NULL ||
		    (job->owner != NULL && strstr(job->owner, s) != NULL))
			return true;
		for (k = 0; k < job->ninputs; k++) {
			if (strstr(job->inputs[k], s) != NULL)
				return true;
		}
		for (k = 0; k < job->noutputs; k++) {
			if (strstr(job->outputs[k], s) != NULL)
				return true;
		}
		for (k = 0; k < job->nparams; k++) {
			if (strstr(job->params[k].key, s) != NULL ||
			    strstr(job->params[k].value, s) != NULL)
				return true;
		}
	}
	return false;
}

/* What plans print themselves, around the values they show. */
static const char plan_words[] =
    "encryptedpass: (changed) (set) (removed) paused: false -> true "
    "max_attempts: max_running: unlimited timeout: (none) order: "
    "oldest-first newest-first latest-only inputs: outputs: params. "
    "extra. owner: hostname: database: schemaname: tablename: username:";

/*
 * A plan never shows an encryptedpass of either side (unless the same text
 * is also some other value, which the plan may show).
 */
static void
check_plan_secrets(const struct config *cur, const struct config *want)
{
	const struct config	*sides[2] = { cur, want };
	struct plan		*p;
	const char		*secret;
	size_t			 i, j, k, s;

	p = plan_compute(cur, want, true, NULL);
	for (s = 0; s < 2; s++) {
		for (i = 0; i < sides[s]->ndatasets; i++) {
			secret = sides[s]->datasets[i].attrs[CFG_NATTRS - 1];
			if (secret == NULL || strlen(secret) < 4 ||
			    strstr(plan_words, secret) != NULL ||
			    strspn(secret, "0123456789smhd ->:\"") ==
			    strlen(secret) ||
			    mentions(cur, secret) || mentions(want, secret))
				continue;
			for (j = 0; j < p->n; j++) {
				for (k = 0; k < p->changes[j].ndetails; k++)
					FUZZ_CHECK(strstr(
					    p->changes[j].details[k],
					    secret) == NULL);
			}
		}
	}
	plan_free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*cur, *want;
	char		*text, *sep;

	if ((text = fuzz_cstr(data, size)) == NULL)
		return 0;
	if ((sep = strstr(text, SEPARATOR)) == NULL) {
		if ((cur = load(text)) != NULL)
			check_round_trip(cur);
		config_free(cur);
		free(text);
		return 0;
	}
	*sep = '\0';
	cur = load(text);
	want = load(sep + strlen(SEPARATOR));
	if (cur != NULL && want != NULL)
		check_plan_secrets(cur, want);
	config_free(want);
	config_free(cur);
	free(text);
	return 0;
}
