/* layout.c: the graph laid out by Graphviz's dot for the console. The
 * layout depends on the catalog alone (jobs, datasets and their edges, not
 * what they do): it is kept by the DOT text it was made of, and dot runs
 * once per change, one run at a time, bounded in time and output. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "graph.h"
#include "layout.h"
#include "listing.h"
#include "xmalloc.h"

/* A layout made, or why it could not be, and the DOT text it was made
 * of: a graph dot fails on (or runs too long on) fails the same way until
 * the catalog changes, and is not tried again meanwhile. */
struct layout_entry {
	char		*dot;
	char		*json;		/* NULL: see err */
	char		*err;
	unsigned long	 used;		/* when last asked for: the LRU's */
};

static struct {
	char			*dotpath;
	pthread_mutex_t		 mx;	/* the entries */
	pthread_mutex_t		 run;	/* one dot at a time */
	struct layout_entry	 e[LAYOUT_CACHE];
	unsigned long		 clock;
} layout = {
	NULL, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, {{0}}, 0
};

void
layout_init(char *dotpath)
{
	free(layout.dotpath);
	layout.dotpath = dotpath;
}

const char *
layout_dot(void)
{
	return layout.dotpath;
}

void
layout_free(void)
{
	size_t	 i;

	for (i = 0; i < LAYOUT_CACHE; i++) {
		free(layout.e[i].dot);
		free(layout.e[i].json);
		free(layout.e[i].err);
		memset(&layout.e[i], 0, sizeof(layout.e[i]));
	}
	free(layout.dotpath);
	layout.dotpath = NULL;
}

/* Whether a layout of dot is kept: then a copy of it in *json, or of why
 * there is none in *errp (callers free). */
static bool
layout_get(const char *dot, char **json, char **errp)
{
	size_t	 i;
	bool	 found = false;

	pthread_mutex_lock(&layout.mx);
	for (i = 0; i < LAYOUT_CACHE && !found; i++) {
		if (layout.e[i].dot == NULL ||
		    strcmp(layout.e[i].dot, dot) != 0)
			continue;
		layout.e[i].used = ++layout.clock;
		if (layout.e[i].json != NULL)
			*json = xstrdup(layout.e[i].json);
		else
			*errp = xstrdup(layout.e[i].err);
		found = true;
	}
	pthread_mutex_unlock(&layout.mx);
	return found;
}

/* Keep json (or err) as the layout made of dot, in place of the least
 * used. */
static void
layout_put(const char *dot, const char *json, const char *err)
{
	size_t	 i, old = 0;

	pthread_mutex_lock(&layout.mx);
	for (i = 1; i < LAYOUT_CACHE; i++)
		if (layout.e[i].used < layout.e[old].used)
			old = i;
	free(layout.e[old].dot);
	free(layout.e[old].json);
	free(layout.e[old].err);
	layout.e[old].dot = xstrdup(dot);
	layout.e[old].json = json != NULL ? xstrdup(json) : NULL;
	layout.e[old].err = json != NULL ? NULL : xstrdup(err);
	layout.e[old].used = ++layout.clock;
	pthread_mutex_unlock(&layout.mx);
}

/* Return the layout of g (its DOT text dot) made by dot, or NULL with
 * *errp (caller frees). */
static char *
layout_make(const struct graph *g, const char *dot, char **errp)
{
	char	*out, *json;
	size_t	 len;

	out = graph_render(layout.dotpath, dot, "json0", LAYOUT_TIMEOUT_MS,
	    LAYOUT_MAX_OUTPUT, &len, errp);
	if (out == NULL)
		return NULL;
	json = graph_layout_json(g, out, len, errp);
	free(out);
	return json;
}

/* Return the layout of g, kept or made now; *hit says which. NULL with
 * *errp (caller frees) when dot failed, now or when it was made. */
static char *
layout_of(const struct graph *g, bool *hit, char **errp)
{
	char	*dot, *json = NULL;

	dot = graph_dot(g, 0);
	if ((*hit = layout_get(dot, &json, errp)))
		goto out;
	/* Those who asked for the same meanwhile wait, and find it. */
	pthread_mutex_lock(&layout.run);
	if (!(*hit = layout_get(dot, &json, errp))) {
		json = layout_make(g, dot, errp);
		layout_put(dot, json, *errp);
	}
	pthread_mutex_unlock(&layout.run);
out:
	free(dot);
	return json;
}

/* The focus of the query: depth= (0, any, when absent) and dir=. Return
 * 0, or -1 having answered 400. */
static int
layout_query(const struct serve_req *rq, struct serve_resp *rs, int *depth,
    enum graph_dir *dir)
{
	const char	*v, *errstr;

	*depth = 0;
	*dir = GRAPH_BOTH;
	if ((v = serve_query(rq, "depth")) != NULL) {
		*depth = (int)strtonum(v, 1, LAYOUT_MAX_DEPTH, &errstr);
		if (errstr != NULL) {
			serve_error(rs, 400, "depth: \"%.32s\" is %s (1 to "
			    "%d)", v, errstr, LAYOUT_MAX_DEPTH);
			return -1;
		}
	}
	if ((v = serve_query(rq, "dir")) == NULL || strcmp(v, "both") == 0)
		return 0;
	if (strcmp(v, "up") == 0 || strcmp(v, "down") == 0) {
		*dir = v[0] == 'u' ? GRAPH_UP : GRAPH_DOWN;
		return 0;
	}
	serve_error(rs, 400, "dir: \"%.32s\" is none of both, up, down", v);
	return -1;
}

void
layout_answer(const struct serve_req *rq, struct serve_resp *rs,
    const char *jobid)
{
	struct db_error		 e = { 0 };
	struct db_result	*rows = NULL;
	struct graph		*g = NULL;
	enum graph_dir		 dir;
	char			*json, *errmsg = NULL;
	bool			 hit;
	int			 depth;

	if (layout_query(rq, rs, &depth, &dir) == -1)
		return;
	if (layout.dotpath == NULL) {
		serve_error(rs, 501, "the graph is not laid out here: the "
		    "server found no Graphviz dot on its PATH when it started "
		    "(Debian package graphviz)");
		return;
	}
	/* Everything: the focus counts what it leaves out. */
	if (listing_graph(rq->db, NULL, 0, &rows, &e) == -1) {
		serve_db_error(rs, &e);
		db_error_clear(&e);
		return;
	}
	g = graph_from_rows(rows);
	if (jobid != NULL && graph_focus(g, jobid, depth, dir) == -1)
		serve_error(rs, 404, "unknown job \"%s\"", jobid);
	else {
		if ((json = layout_of(g, &hit, &errmsg)) == NULL) {
			serve_error(rs, 500, "could not lay the graph out: %s",
			    errmsg);
			free(errmsg);
		} else
			serve_json(rs, 200, json);
		serve_header_add(rs, "X-Layout-Cache", hit ? "hit" : "miss");
	}
	graph_free(g);
	db_result_free(rows);
}
