/* config_check.c: the checks of a configuration as a whole: unique ids,
 * references to declared datasets, one producer per dataset, no cycle of
 * jobs, and the environment names its jobs would get. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_check.h"
#include "config_int.h"
#include "diag.h"
#include "ids.h"
#include "msg.h"
#include "nitems.h"
#include "strbuf.h"
#include "xmalloc.h"

/* The state of a job in the cycle search. */
enum config_color {
	CONFIG_UNSEEN,		/* not seen yet */
	CONFIG_ONSTACK,		/* on the stack */
	CONFIG_DONE		/* done */
};

/* A job's use of a dataset, for the producer and cycle checks. */
struct config_ref {
	const char	*ds;
	size_t		 job;
	int		 out;		/* 1 output, 0 input */
};

struct config_edge {
	size_t		 from;
	size_t		 to;
};

static int
config_cmp_ref(const void *a, const void *b)
{
	const struct config_ref	*ra = a, *rb = b;
	int			 r;

	if ((r = strcmp(ra->ds, rb->ds)) != 0)
		return r;
	if (ra->out != rb->out)
		return rb->out - ra->out;	/* producers first */
	return (ra->job > rb->job) - (ra->job < rb->job);
}

static int
config_cmp_edge(const void *a, const void *b)
{
	const struct config_edge	*ea = a, *eb = b;

	if (ea->from != eb->from)
		return (ea->from > eb->from) - (ea->from < eb->from);
	return (ea->to > eb->to) - (ea->to < eb->to);
}

/* Report ids that occur twice in the sorted array ids. */
static void
config_check_unique(struct config_load *ld, const char **ids, size_t n,
    const char *section, const char *what)
{
	size_t	 i;
	char	*path;

	for (i = 1; i < n; i++) {
		if (strcmp(ids[i - 1], ids[i]) != 0)
			continue;
		if (i > 1 && strcmp(ids[i - 2], ids[i]) == 0)
			continue;
		path = config_path(section, ids[i]);
		config_err(ld, path, "duplicate %s id", what);
		free(path);
	}
}

/* Report the entries of a job's inputs or outputs that name no dataset. */
static void
config_check_list(struct config_load *ld, const struct cfg_job *job,
    char **list, size_t n, int outputs, const char **dsids, size_t nds)
{
	size_t	 i, j;
	char	*jpath, *path, *q;

	jpath = config_path("jobs", job->id);
	path = config_path(jpath, outputs ? "outputs" : "inputs");
	for (i = 0; i < n; i++) {
		q = msg_q(list[i]);
		for (j = 0; j < i; j++) {
			if (strcmp(list[j], list[i]) == 0)
				break;
		}
		if (j < i)
			config_err(ld, path, "duplicate dataset %s", q);
		else if (config_pseudo(list[i]) != NULL) {
			if (outputs)
				config_err(ld, path, "\"%s\" is %s and cannot "
				    "be an output", list[i],
				    config_pseudo(list[i]));
		} else if (nds == 0 || bsearch(&list[i], dsids, nds,
		    sizeof *dsids, config_cmp_str) == NULL)
			config_err(ld, path, "unknown dataset %s", q);
		free(q);
	}
	free(path);
	free(jpath);
}

/* Report the cycle closed by the edge from stack[sp - 1] back to stack[at]. */
static void
config_report_cycle(struct config_load *ld, const struct config *c,
    const size_t *stack, size_t at, size_t sp)
{
	struct strbuf	 sb = STRBUF_INIT;
	size_t		 i;

	strbuf_add(&sb, "cycle:");
	for (i = at; i < sp; i++)
		strbuf_addf(&sb, " %s ->", c->jobs[stack[i]].id);
	strbuf_addf(&sb, " %s", c->jobs[stack[at]].id);
	config_err(ld, NULL, "%s", sb.buf);
	strbuf_free(&sb);
}

/*
 * Depth-first search of the job graph (off/adj: edges by source job), with
 * an explicit stack so that a long chain of jobs cannot exhaust the C stack;
 * every edge back to a job on the stack closes a cycle.
 */
static void
config_find_cycles(struct config_load *ld, const struct config *c,
    const size_t *off, const size_t *adj)
{
	unsigned char	*color;
	size_t		*stack, *next, *pos, sp, r, u, v;

	color = xcalloc(c->njobs, sizeof *color);
	stack = xcalloc(c->njobs, sizeof *stack);
	next = xcalloc(c->njobs, sizeof *next);
	pos = xcalloc(c->njobs, sizeof *pos);
	for (r = 0; r < c->njobs; r++) {
		if (color[r] != CONFIG_UNSEEN)
			continue;
		sp = 0;
		stack[sp] = r;
		next[sp] = off[r];
		pos[r] = sp++;
		color[r] = CONFIG_ONSTACK;
		while (sp > 0) {
			u = stack[sp - 1];
			if (next[sp - 1] == off[u + 1]) {
				color[u] = CONFIG_DONE;
				sp--;
				continue;
			}
			v = adj[next[sp - 1]++];
			if (color[v] == CONFIG_UNSEEN) {
				stack[sp] = v;
				next[sp] = off[v];
				pos[v] = sp++;
				color[v] = CONFIG_ONSTACK;
			} else if (color[v] == CONFIG_ONSTACK)
				config_report_cycle(ld, c, stack, pos[v], sp);
		}
	}
	free(pos);
	free(next);
	free(stack);
	free(color);
}

/*
 * Check who produces what: one producer per dataset, no job reading its own
 * output, and no cycle through several jobs.
 */
static void
config_check_graph(struct config_load *ld, const struct config *c)
{
	struct config_ref	*refs;
	struct config_edge	*edges;
	struct strbuf		 sb = STRBUF_INIT;
	const struct cfg_job	*job;
	size_t			 nrefs = 0, nedges = 0, i, j, g, e, p, q;
	size_t			 nprod, *off, *adj, n;
	char			*path, *qd;

	n = 0;
	for (i = 0; i < c->njobs; i++)
		n += c->jobs[i].ninputs + c->jobs[i].noutputs;
	refs = xcalloc(n, sizeof *refs);
	for (i = 0; i < c->njobs; i++) {
		job = &c->jobs[i];
		for (j = 0; j < job->ninputs + job->noutputs; j++) {
			refs[nrefs].out = j >= job->ninputs;
			refs[nrefs].ds = refs[nrefs].out ?
			    job->outputs[j - job->ninputs] : job->inputs[j];
			refs[nrefs].job = i;
			if (config_pseudo(refs[nrefs].ds) == NULL)
				nrefs++;
		}
	}
	config_qsort(refs, nrefs, sizeof *refs, config_cmp_ref);
	/* Drop repeats, reported already by config_check_list. */
	for (i = j = 0; i < nrefs; i++) {
		if (j > 0 && config_cmp_ref(&refs[j - 1], &refs[i]) == 0)
			continue;
		refs[j++] = refs[i];
	}
	nrefs = j;

	edges = NULL;
	for (g = 0; g < nrefs; g = e) {
		for (e = g; e < nrefs && strcmp(refs[e].ds, refs[g].ds) == 0;)
			e++;
		for (nprod = 0; g + nprod < e && refs[g + nprod].out;)
			nprod++;
		if (nprod > 1) {
			strbuf_add(&sb, "output of more than one job:");
			for (p = g; p < g + nprod; p++)
				strbuf_addf(&sb, "%s %s", p > g ? "," : "",
				    c->jobs[refs[p].job].id);
			path = config_path("datasets", refs[g].ds);
			config_err(ld, path, "%s", sb.buf);
			free(path);
			strbuf_free(&sb);
		}
		for (p = g; p < g + nprod; p++) {
			for (q = g + nprod; q < e; q++) {
				if (refs[p].job != refs[q].job) {
					edges = xgrow(edges, nedges, 1,
					    sizeof *edges);
					edges[nedges].from = refs[p].job;
					edges[nedges++].to = refs[q].job;
					continue;
				}
				job = &c->jobs[refs[p].job];
				path = config_path("jobs", job->id);
				qd = msg_q(refs[p].ds);
				config_err(ld, path, "dataset %s is both an "
				    "input and an output (cycle: %s -> %s)",
				    qd, job->id, job->id);
				free(qd);
				free(path);
			}
		}
	}

	config_qsort(edges, nedges, sizeof *edges, config_cmp_edge);
	off = xcalloc(c->njobs + 1, sizeof *off);
	adj = xcalloc(nedges, sizeof *adj);
	for (i = j = 0; i < nedges; i++) {
		if (i > 0 && config_cmp_edge(&edges[i - 1], &edges[i]) == 0)
			continue;
		off[edges[i].from + 1]++;
		adj[j++] = edges[i].to;
	}
	for (i = 0; i < c->njobs; i++)
		off[i + 1] += off[i];
	config_find_cycles(ld, c, off, adj);

	free(adj);
	free(off);
	free(edges);
	free(refs);
}

/* Set up ld for a check of a loaded configuration that reports into d, or
 * into local when d is NULL; return the list the findings go to. */
static struct diag *
config_checker(struct config_load *ld, const char *origin, struct diag *d,
    struct diag *local)
{
	ld->origin = origin;
	ld->d = d != NULL ? d : local;
	ld->c = NULL;
	return ld->d;
}

int
config_check(const struct config *c, const char *origin, struct diag *d)
{
	struct diag		 local = { NULL, 0 };
	struct config_load	 ld;
	const char		**dsids, **jobids;
	const struct cfg_job	*job;
	size_t			 n0, i;
	int			 rc;

	d = config_checker(&ld, origin, d, &local);
	n0 = d->n;

	dsids = xcalloc(c->ndatasets, sizeof *dsids);
	for (i = 0; i < c->ndatasets; i++)
		dsids[i] = c->datasets[i].id;
	config_qsort(dsids, c->ndatasets, sizeof *dsids, config_cmp_str);
	config_check_unique(&ld, dsids, c->ndatasets, "datasets", "dataset");
	jobids = xcalloc(c->njobs, sizeof *jobids);
	for (i = 0; i < c->njobs; i++)
		jobids[i] = c->jobs[i].id;
	config_qsort(jobids, c->njobs, sizeof *jobids, config_cmp_str);
	config_check_unique(&ld, jobids, c->njobs, "jobs", "job");

	for (i = 0; i < c->njobs; i++) {
		job = &c->jobs[i];
		config_check_list(&ld, job, job->inputs, job->ninputs, 0,
		    dsids, c->ndatasets);
		config_check_list(&ld, job, job->outputs, job->noutputs, 1,
		    dsids, c->ndatasets);
	}
	config_check_graph(&ld, c);

	rc = d->n > n0 ? -1 : 0;
	free(jobids);
	free(dsids);
	diag_clear(&local);
	return rc;
}

/* Report a refused variable name, and what at path makes it (NULL: the
 * name itself, a parameter). */
static void
config_env_err(struct config_load *ld, const char *path, const char *what,
    const char *name, const char *why)
{
	const char	*hint = ident_env_fixed(name) ? "" : "; a host may "
	    "allow it with env_allow= in dataflow.properties";

	if (what == NULL)
		config_err(ld, path, "variable %s is never exported to jobs "
		    "(%s)%s", name, why, hint);
	else
		config_err(ld, path, "%s makes variable %s, which is never "
		    "exported to jobs (%s)%s", what, name, why, hint);
}

/* The names RunJob exports for every dataset D as D_name. */
static const char *const config_std_vars[] = {
	"datasetid", "hostname", "database", "schemaname", "tablename",
	"username", "encryptedpass", "itemtype", "password"
};

static void
config_check_dataset_env(struct config_load *ld, const struct cfg_dataset *ds,
    const char *const *allow)
{
	const char	*why;
	size_t		 i;
	char		*name, *path, *what;

	path = config_path("datasets", ds->id);
	for (i = 0; i < nitems(config_std_vars); i++) {
		name = xasprintf("%s_%s", ds->id, config_std_vars[i]);
		why = ident_env_refusal(name, allow);
		if (why != NULL) {
			what = xasprintf("dataset id \"%s\"", ds->id);
			config_env_err(ld, path, what, name, why);
			free(what);
		}
		free(name);
		if (why != NULL)
			break;
	}
	for (i = 0; i < ds->nextra; i++) {
		name = xasprintf("%s_%s", ds->id, ds->extra[i].key);
		if ((why = ident_env_refusal(name, allow)) != NULL) {
			what = xasprintf("extra attribute \"%s\"",
			    ds->extra[i].key);
			config_env_err(ld, path, what, name, why);
			free(what);
		}
		free(name);
	}
	free(path);
}

int
config_check_env(const struct config *c, const char *origin,
    const char *const *allow, struct diag *d)
{
	struct diag		 local = { NULL, 0 };
	struct config_load	 ld;
	const struct cfg_job	*job;
	const char		*why;
	size_t			 n0, i, k;
	char			*path, *what;

	d = config_checker(&ld, origin, d, &local);
	n0 = d->n;
	for (i = 0; i < c->ndatasets; i++)
		config_check_dataset_env(&ld, &c->datasets[i], allow);
	for (i = 0; i < c->njobs; i++) {
		job = &c->jobs[i];
		for (k = 0; k < job->nparams; k++) {
			why = ident_env_refusal(job->params[k].key, allow);
			if (why == NULL)
				continue;
			what = config_path("jobs", job->id);
			path = config_path(what, "params");
			config_env_err(&ld, path, NULL, job->params[k].key,
			    why);
			free(path);
			free(what);
		}
	}
	diag_clear(&local);
	return d->n > n0 ? -1 : 0;
}
