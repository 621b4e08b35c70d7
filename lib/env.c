/* env.c: the environment of a job's script: parameters, datasets, dataflow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "config.h"
#include "diag.h"
#include "env.h"
#include "ids.h"
#include "xmalloc.h"

struct env_list {
	char	**v;
	size_t	  n;		/* entries, then a NULL */
};

static void
env_push(struct env_list *l, char *entry)
{
	l->v = xgrow(l->v, l->n, 2, sizeof(*l->v));
	l->v[l->n++] = entry;
	l->v[l->n] = NULL;
}

/* Length of the name part of "NAME=value". */
static size_t
env_namelen(const char *entry)
{
	const char	*eq = strchr(entry, '=');

	return eq != NULL ? (size_t)(eq - entry) : strlen(entry);
}

/* Set name=value in l, replacing an earlier entry of the same name. */
static void
env_set(struct env_list *l, const char *name, const char *value)
{
	size_t	 i, len = strlen(name);
	char	*entry = xasprintf("%s=%s", name, value != NULL ? value : "");

	for (i = 0; i < l->n; i++) {
		if (env_namelen(l->v[i]) == len &&
		    strncmp(l->v[i], name, len) == 0) {
			xfreezero_str(l->v[i]);
			l->v[i] = entry;
			return;
		}
	}
	env_push(l, entry);
}

/*
 * Set a name that comes from the database (a parameter, or a dataset id
 * and attribute), unless the list of ident_env_refusal refuses it: the
 * database may have been written by someone who bypassed the
 * configuration check.
 */
static void
env_set_checked(struct env_list *l, const char *name, const char *value,
    const struct env_spec *spec, struct diag *warnings)
{
	const char	*why;

	if ((why = ident_env_refusal(name, spec->env_allow)) != NULL) {
		if (warnings != NULL)
			diag_add(warnings, "variable %s not exported: the "
			    "name is reserved (%s)", name, why);
		return;
	}
	env_set(l, name, value);
}

char **
env_build(char *const *inherited, const struct env_spec *spec,
    struct diag *warnings)
{
	const struct claim	*c = spec->claim;
	struct env_list		 ours = { NULL, 0 }, all = { NULL, 0 };
	char			 num[32], *name;
	size_t			 i, j, k;
	bool			 shadowed;

	for (i = 0; i < c->nparams; i++)
		env_set_checked(&ours, c->params[i].key, c->params[i].value,
		    spec, warnings);
	for (i = 0; i < c->ndatasets; i++) {
		const struct claim_dataset *d = &c->datasets[i];

		name = xasprintf("%s_datasetid", d->id);
		env_set_checked(&ours, name, d->id, spec, warnings);
		free(name);
		for (j = 0; j < CFG_NATTRS; j++) {
			name = xasprintf("%s_%s", d->id, cfg_attr_names[j]);
			env_set_checked(&ours, name, d->attrs[j] != NULL ?
			    d->attrs[j] : "", spec, warnings);
			free(name);
		}
		name = xasprintf("%s_itemtype", d->id);
		env_set_checked(&ours, name, d->itemtype, spec, warnings);
		free(name);
		for (j = 0; j < d->nextra; j++) {
			name = xasprintf("%s_%s", d->id, d->extra[j].key);
			env_set_checked(&ours, name, d->extra[j].value,
			    spec, warnings);
			free(name);
		}
		if (spec->passwords != NULL && spec->passwords[i] != NULL) {
			name = xasprintf("%s_password", d->id);
			env_set_checked(&ours, name, spec->passwords[i],
			    spec, warnings);
			free(name);
		}
	}
	env_set(&ours, "dataid", c->dataid);
	env_set(&ours, "jobid", spec->jobid);
	env_set(&ours, "DATAFLOW_DATAID", c->dataid);
	env_set(&ours, "DATAFLOW_JOBID", spec->jobid);
	snprintf(num, sizeof(num), "%lld", c->run_id);
	env_set(&ours, "DATAFLOW_RUNID", num);
	snprintf(num, sizeof(num), "%d", c->attempt);
	env_set(&ours, "DATAFLOW_ATTEMPT", num);
	if (spec->metrics_file != NULL)
		env_set(&ours, "DATAFLOW_METRICS_FILE", spec->metrics_file);

	/* Inherited variables first, except those we set ourselves. */
	for (i = 0; inherited != NULL && inherited[i] != NULL; i++) {
		size_t len = env_namelen(inherited[i]);

		shadowed = false;
		for (k = 0; k < ours.n && !shadowed; k++)
			shadowed = env_namelen(ours.v[k]) == len &&
			    strncmp(ours.v[k], inherited[i], len) == 0;
		if (!shadowed)
			env_push(&all, xstrdup(inherited[i]));
	}
	for (k = 0; k < ours.n; k++)
		env_push(&all, ours.v[k]);
	free(ours.v);
	if (all.v == NULL)
		env_push(&all, NULL), all.n = 0;
	return all.v;
}

char **
env_with(char *const *inherited, const char *const *names,
    const char *const *values, size_t n)
{
	struct env_list	 l = { NULL, 0 };
	size_t		 i;

	for (i = 0; inherited != NULL && inherited[i] != NULL; i++)
		env_push(&l, xstrdup(inherited[i]));
	for (i = 0; i < n; i++)
		if (values[i] != NULL)
			env_set(&l, names[i], values[i]);
	if (l.v == NULL)
		env_push(&l, NULL), l.n = 0;
	return l.v;
}

void
env_free(char **env)
{
	size_t	 i;

	if (env == NULL)
		return;
	for (i = 0; env[i] != NULL; i++)
		xfreezero_str(env[i]);
	free(env);
}
