/* plan.c: compare two configurations and list the changes, attribute by
 * attribute, that turn the current one into the wanted one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "duration.h"
#include "msg.h"
#include "nitems.h"
#include "plan.h"
#include "strbuf.h"
#include "xmalloc.h"

/* Indexed by enum plan_action. */
static const char *const plan_action_names[] = {
	"add", "update", "remove", "pause", "resume"
};

/* The attribute whose value is a secret, even encrypted. */
#define PLAN_SECRET_ATTR	"encryptedpass"

static const struct config plan_empty;

const char *
plan_action_name(enum plan_action a)
{
	if ((size_t)a >= nitems(plan_action_names))
		return "unknown";
	return plan_action_names[a];
}

/* Add the detail s (now owned by ch) to ch. */
static void
plan_detail(struct plan_change *ch, char *s)
{
	ch->details = xgrow(ch->details, ch->ndetails, 1,
	    sizeof *ch->details);
	ch->details[ch->ndetails++] = s;
}

/* Return s quoted in full for a detail (see msg_quote), or "(none)" for
 * NULL; the caller frees. */
static char *
plan_quote(const char *s)
{
	if (s == NULL)
		return xstrdup("(none)");
	return msg_quote(s, strlen(s), SIZE_MAX);
}

static int
plan_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Add 'name: "old" -> "new"' when a and b differ (NULL: absent). */
static void
plan_string(struct plan_change *ch, const char *name, const char *a,
    const char *b)
{
	char	*qa, *qb;

	if (plan_streq(a, b))
		return;
	qa = plan_quote(a);
	qb = plan_quote(b);
	plan_detail(ch, xasprintf("%s: %s -> %s", name, qa, qb));
	free(qb);
	free(qa);
}

/* Say that a secret was set, changed or removed, never what it is. */
static void
plan_secret(struct plan_change *ch, const char *name, const char *a,
    const char *b)
{
	if (plan_streq(a, b))
		return;
	if (a == NULL)
		plan_detail(ch, xasprintf("%s: (set)", name));
	else if (b == NULL)
		plan_detail(ch, xasprintf("%s: (removed)", name));
	else
		plan_detail(ch, xasprintf("%s: (changed)", name));
}

/* Whether name is in the NULL-terminated list secrets (NULL: empty). */
static bool
plan_is_secret(const char *const *secrets, const char *name)
{
	size_t	 i;

	for (i = 0; secrets != NULL && secrets[i] != NULL; i++) {
		if (strcmp(secrets[i], name) == 0)
			return true;
	}
	return false;
}

/*
 * Compare two name: value lists sorted by name, "prefix.NAME" a detail;
 * the values of names in secrets are not shown.
 */
static void
plan_kvs(struct plan_change *ch, const char *prefix, const struct cfg_kv *a,
    size_t na, const struct cfg_kv *b, size_t nb,
    const char *const *secrets)
{
	const char	*key;
	size_t		 i = 0, j = 0;
	char		*name;
	int		 r;

	while (i < na || j < nb) {
		if (i == na)
			r = 1;
		else if (j == nb)
			r = -1;
		else
			r = strcmp(a[i].key, b[j].key);
		key = r <= 0 ? a[i].key : b[j].key;
		name = xasprintf("%s.%s", prefix, key);
		(plan_is_secret(secrets, key) ? plan_secret : plan_string)(ch,
		    name, r <= 0 ? a[i].value : NULL,
		    r >= 0 ? b[j].value : NULL);
		free(name);
		if (r <= 0)
			i++;
		if (r >= 0)
			j++;
	}
}

/* Compare two sorted lists of dataset ids: "name: +added -removed". */
static void
plan_list(struct plan_change *ch, const char *name, char **a, size_t na,
    char **b, size_t nb)
{
	struct strbuf	 added = STRBUF_INIT, removed = STRBUF_INIT;
	size_t		 i = 0, j = 0;
	int		 r;

	while (i < na || j < nb) {
		if (i == na)
			r = 1;
		else if (j == nb)
			r = -1;
		else
			r = strcmp(a[i], b[j]);
		if (r < 0)
			strbuf_addf(&removed, " -%s", a[i++]);
		else if (r > 0)
			strbuf_addf(&added, " +%s", b[j++]);
		else {
			i++;
			j++;
		}
	}
	if (added.len > 0 || removed.len > 0)
		plan_detail(ch, xasprintf("%s:%s%s", name,
		    added.len > 0 ? added.buf : "",
		    removed.len > 0 ? removed.buf : ""));
	strbuf_free(&added);
	strbuf_free(&removed);
}

/* A command line for a detail: its quoted words, or "(none)". */
static char *
plan_argv_text(char **v, size_t n)
{
	char	*s = NULL, *q, *t;
	size_t	 i;

	if (n == 0)
		return xstrdup("(none)");
	for (i = 0; i < n; i++) {
		q = plan_quote(v[i]);
		t = xasprintf("%s%s%s", s != NULL ? s : "", i > 0 ? " " : "",
		    q);
		free(q);
		free(s);
		s = t;
	}
	return s;
}

static void
plan_argv(struct plan_change *ch, const char *name, char **a, size_t na,
    char **b, size_t nb)
{
	char	*sa, *sb;
	size_t	 i;

	if (na == nb) {
		for (i = 0; i < na && strcmp(a[i], b[i]) == 0; i++)
			;
		if (i == na)
			return;
	}
	sa = plan_argv_text(a, na);
	sb = plan_argv_text(b, nb);
	plan_detail(ch, xasprintf("%s: %s -> %s", name, sa, sb));
	free(sa);
	free(sb);
}

static char *
plan_timeout(long secs)
{
	if (secs == 0)
		return xstrdup("(none)");
	return duration_format(secs);
}

static char *
plan_max_running(int n)
{
	if (n == 0)
		return xstrdup("unlimited");
	return xasprintf("%d", n);
}

static void
plan_dataset(struct plan_change *ch, const struct cfg_dataset *a,
    const struct cfg_dataset *b, const char *const *secrets)
{
	size_t	 i;

	for (i = 0; i < CFG_NATTRS; i++) {
		if (strcmp(cfg_attr_names[i], PLAN_SECRET_ATTR) == 0)
			plan_secret(ch, cfg_attr_names[i], a->attrs[i],
			    b->attrs[i]);
		else
			plan_string(ch, cfg_attr_names[i], a->attrs[i],
			    b->attrs[i]);
	}
	plan_kvs(ch, "extra", a->extra, a->nextra, b->extra, b->nextra,
	    secrets);
}

static void
plan_job(struct plan_change *ch, const struct cfg_job *a,
    const struct cfg_job *b, const char *const *secrets)
{
	char	*sa, *sb;

	plan_list(ch, "inputs", a->inputs, a->ninputs, b->inputs, b->ninputs);
	plan_list(ch, "outputs", a->outputs, a->noutputs, b->outputs,
	    b->noutputs);
	plan_kvs(ch, "params", a->params, a->nparams, b->params, b->nparams,
	    secrets);
	plan_kvs(ch, "tags", a->tags, a->ntags, b->tags, b->ntags, NULL);
	if (a->paused != b->paused)
		plan_detail(ch, xasprintf("paused: %s -> %s",
		    a->paused ? "true" : "false",
		    b->paused ? "true" : "false"));
	if (a->max_attempts != b->max_attempts)
		plan_detail(ch, xasprintf("max_attempts: %d -> %d",
		    a->max_attempts, b->max_attempts));
	if (a->timeout_secs != b->timeout_secs) {
		sa = plan_timeout(a->timeout_secs);
		sb = plan_timeout(b->timeout_secs);
		plan_detail(ch, xasprintf("timeout: %s -> %s", sa, sb));
		free(sb);
		free(sa);
	}
	if (a->order != b->order)
		plan_detail(ch, xasprintf("order: %s -> %s",
		    config_order_name(a->order),
		    config_order_name(b->order)));
	if (a->max_running != b->max_running) {
		sa = plan_max_running(a->max_running);
		sb = plan_max_running(b->max_running);
		plan_detail(ch, xasprintf("max_running: %s -> %s", sa, sb));
		free(sb);
		free(sa);
	}
	plan_string(ch, "owner", a->owner, b->owner);
	plan_argv(ch, "notify", a->notify, a->nnotify, b->notify, b->nnotify);
	if (a->notify_always != b->notify_always)
		plan_detail(ch, xasprintf("notify_on: %s -> %s",
		    a->notify_always ? "always" : "failure",
		    b->notify_always ? "always" : "failure"));

	/* A change of the paused flag alone is a pause or a resume. */
	if (ch->ndetails == 1 && a->paused != b->paused) {
		ch->action = b->paused ? PLAN_PAUSE : PLAN_RESUME;
		free(ch->details[0]);
		free(ch->details);
		ch->details = NULL;
		ch->ndetails = 0;
	}
}

static void
plan_change_clear(struct plan_change *ch)
{
	size_t	 i;

	for (i = 0; i < ch->ndetails; i++)
		free(ch->details[i]);
	free(ch->details);
	free(ch->id);
	memset(ch, 0, sizeof *ch);
}

/* Append ch to p when it says anything: an update without details is none. */
static void
plan_push(struct plan *p, struct plan_change *ch)
{
	if (ch->action == PLAN_UPDATE && ch->ndetails == 0) {
		plan_change_clear(ch);
		return;
	}
	p->changes = xgrow(p->changes, p->n, 1, sizeof *p->changes);
	p->changes[p->n++] = *ch;
}

static void
plan_datasets(struct plan *p, const struct config *cur,
    const struct config *want, bool prune, const char *const *secrets)
{
	struct plan_change	 ch;
	size_t			 i = 0, j = 0;
	int			 r;

	while (i < cur->ndatasets || j < want->ndatasets) {
		if (i == cur->ndatasets)
			r = 1;
		else if (j == want->ndatasets)
			r = -1;
		else
			r = strcmp(cur->datasets[i].id, want->datasets[j].id);
		memset(&ch, 0, sizeof ch);
		ch.kind = PLAN_DATASET;
		if (r < 0) {
			if (prune) {
				ch.action = PLAN_REMOVE;
				ch.id = xstrdup(cur->datasets[i].id);
				plan_push(p, &ch);
			}
			i++;
		} else if (r > 0) {
			ch.action = PLAN_ADD;
			ch.id = xstrdup(want->datasets[j].id);
			plan_push(p, &ch);
			j++;
		} else {
			ch.action = PLAN_UPDATE;
			ch.id = xstrdup(want->datasets[j].id);
			plan_dataset(&ch, &cur->datasets[i],
			    &want->datasets[j], secrets);
			plan_push(p, &ch);
			i++;
			j++;
		}
	}
}

static void
plan_jobs(struct plan *p, const struct config *cur, const struct config *want,
    bool prune, const char *const *secrets)
{
	struct plan_change	 ch;
	size_t			 i = 0, j = 0;
	int			 r;

	while (i < cur->njobs || j < want->njobs) {
		if (i == cur->njobs)
			r = 1;
		else if (j == want->njobs)
			r = -1;
		else
			r = strcmp(cur->jobs[i].id, want->jobs[j].id);
		memset(&ch, 0, sizeof ch);
		ch.kind = PLAN_JOB;
		if (r < 0) {
			if (prune) {
				ch.action = PLAN_REMOVE;
				ch.id = xstrdup(cur->jobs[i].id);
				plan_push(p, &ch);
			}
			i++;
		} else if (r > 0) {
			ch.action = PLAN_ADD;
			ch.id = xstrdup(want->jobs[j].id);
			plan_push(p, &ch);
			j++;
		} else {
			ch.action = PLAN_UPDATE;
			ch.id = xstrdup(want->jobs[j].id);
			plan_job(&ch, &cur->jobs[i], &want->jobs[j], secrets);
			plan_push(p, &ch);
			i++;
			j++;
		}
	}
}

struct plan *
plan_compute(const struct config *cur, const struct config *want, bool prune,
    const char *const *secrets)
{
	struct plan	*p;

	if (cur == NULL)
		cur = &plan_empty;
	if (want == NULL)
		want = &plan_empty;
	p = xcalloc(1, sizeof *p);
	plan_datasets(p, cur, want, prune, secrets);
	plan_jobs(p, cur, want, prune, secrets);
	return p;
}

const char *
plan_kind_name(enum plan_kind k)
{
	return k == PLAN_DATASET ? "dataset" : "job";
}

json_t *
plan_to_json(const struct plan *p)
{
	const struct plan_change	*ch;
	json_t				*a, *o, *d;
	size_t				 i, k;

	a = json_array();
	for (i = 0; i < p->n; i++) {
		ch = &p->changes[i];
		o = json_object();
		json_object_set_new(o, "action",
		    json_string(plan_action_name(ch->action)));
		json_object_set_new(o, "kind",
		    json_string(plan_kind_name(ch->kind)));
		json_object_set_new(o, "id", json_string(ch->id));
		d = json_array();
		for (k = 0; k < ch->ndetails; k++)
			json_array_append_new(d, json_string(ch->details[k]));
		json_object_set_new(o, "details", d);
		json_array_append_new(a, o);
	}
	return a;
}

void
plan_free(struct plan *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		plan_change_clear(&p->changes[i]);
	free(p->changes);
	free(p);
}
