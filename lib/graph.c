/* graph.c: the graph of datasets and jobs: built from df_graph's rows,
 * focused on one job, written in the DOT language for "dataflow graph"
 * and the server alike, and laid out by Graphviz's dot. */
#include <sys/wait.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db.h"
#include "graph.h"
#include "nitems.h"
#include "spawn.h"
#include "strbuf.h"
#include "table.h"
#include "xmalloc.h"

/* A job's state (df_graph), its fill colour, and what the colour means. */
static const struct graph_colour {
	const char	*state;
	const char	*fill;
	const char	*border;
} graph_colours[] = {
	{ "failed",	"#ff9e9e",	"#c00000" },	/* red */
	{ "running",	"#ffe066",	"#b08800" },	/* yellow */
	{ "paused",	"#d9d9d9",	"#707070" },	/* grey */
	{ "lagging",	"#ffb347",	"#c05800" },	/* orange */
	{ "ready",	"#cfe8ff",	"#3070b0" },	/* light blue */
	{ "idle",	"#ffffff",	"#000000" },
};

static bool
is(const char *v, const char *want)
{
	return v != NULL && strcmp(v, want) == 0;
}

struct graph *
graph_new(void)
{
	return xcalloc(1, sizeof(struct graph));
}

void
graph_free(struct graph *g)
{
	if (g == NULL)
		return;
	free(g->nodes);
	free(g->edges);
	free(g->index);
	free(g);
}

/* The index's order: by kind, then name. */
static int
graph_cmp(const struct graph_node *a, char kind, const char *name)
{
	if (a->kind != kind)
		return a->kind < kind ? -1 : 1;
	return strcmp(a->name, name);
}

static int
graph_cmp_index(const void *pa, const void *pb, void *arg)
{
	const struct graph	*g = arg;
	const struct graph_node	*b = &g->nodes[*(const size_t *)pb];

	return graph_cmp(&g->nodes[*(const size_t *)pa], b->kind, b->name);
}

void
graph_index(struct graph *g)
{
	size_t	 i;

	free(g->index);
	g->index = xcalloc(g->nnodes + 1, sizeof(*g->index));
	for (i = 0; i < g->nnodes; i++)
		g->index[i] = i;
	qsort_r(g->index, g->nnodes, sizeof(*g->index), graph_cmp_index, g);
}

/* Return the index of the node of that kind and name, or -1. */
static ssize_t
graph_lookup(const struct graph *g, char kind, const char *name)
{
	size_t	 lo = 0, hi = g->index != NULL ? g->nnodes : 0, mid;
	int	 c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = graph_cmp(&g->nodes[g->index[mid]], kind, name);
		if (c == 0)
			return (ssize_t)g->index[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

struct graph_node *
graph_find(const struct graph *g, char kind, const char *name)
{
	ssize_t	 i = graph_lookup(g, kind, name);

	return i == -1 ? NULL : &g->nodes[i];
}

struct graph_node *
graph_add_node(struct graph *g, char kind, const char *name)
{
	struct graph_node	*n;
	size_t			 i;

	for (i = 0; g->index == NULL && i < g->nnodes; i++)
		if (graph_cmp(&g->nodes[i], kind, name) == 0)
			return NULL;
	if (g->index != NULL && graph_lookup(g, kind, name) != -1)
		return NULL;
	g->nodes = xreallocarray(g->nodes, g->nnodes + 1, sizeof(*g->nodes));
	n = &g->nodes[g->nnodes++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->name = name;
	n->keep = true;
	free(g->index);
	g->index = NULL;
	return n;
}

int
graph_add_edge(struct graph *g, char fkind, const char *from, char tkind,
    const char *to)
{
	ssize_t	 f = graph_lookup(g, fkind, from), t = graph_lookup(g, tkind,
	    to);

	if (f == -1 || t == -1)
		return -1;
	g->edges = xreallocarray(g->edges, g->nedges + 1, sizeof(*g->edges));
	g->edges[g->nedges][0] = (size_t)f;
	g->edges[g->nedges++][1] = (size_t)t;
	return 0;
}

struct graph *
graph_from_rows(const struct db_result *r)
{
	struct graph		*g = graph_new();
	struct graph_node	*n;
	const char		*kind;
	bool			 in;
	int			 i;

	for (i = 0; i < db_rows(r); i++) {
		kind = db_col(r, i, "kind");
		if (is(kind, "dataset") && (n = graph_add_node(g, 'd',
		    db_col(r, i, "name"))) != NULL)
			n->external = db_col(r, i, "producer") == NULL;
		else if (is(kind, "job") && (n = graph_add_node(g, 'j',
		    db_col(r, i, "name"))) != NULL) {
			n->state = db_col(r, i, "state");
			n->claimable = db_col(r, i, "claimable");
			n->running = db_col(r, i, "running");
			n->failed = db_col(r, i, "failed");
			n->lag_secs = db_col(r, i, "lag_secs");
		}
	}
	graph_index(g);
	for (i = 0; i < db_rows(r); i++) {
		if (!is(db_col(r, i, "kind"), "edge"))
			continue;
		in = is(db_col(r, i, "itemtype"), "IN");
		if (in)
			graph_add_edge(g, 'd', db_col(r, i, "peer"), 'j',
			    db_col(r, i, "name"));
		else
			graph_add_edge(g, 'j', db_col(r, i, "name"), 'd',
			    db_col(r, i, "peer"));
	}
	return g;
}

/*
 * Mark in reach the nodes at most hops edges from start (0: any), walking
 * the edges forward (downstream) or backward.
 */
static void
graph_walk(const struct graph *g, size_t start, size_t hops, bool forward,
    bool *reach)
{
	size_t	*dist, e, a, b, level;
	bool	 more = true;

	dist = xcalloc(g->nnodes, sizeof(*dist));
	reach[start] = true;
	for (level = 0; more && (hops == 0 || level < hops); level++) {
		more = false;
		for (e = 0; e < g->nedges; e++) {
			a = g->edges[e][forward ? 0 : 1];
			b = g->edges[e][forward ? 1 : 0];
			if (!reach[a] || dist[a] != level || reach[b])
				continue;
			reach[b] = more = true;
			dist[b] = level + 1;
		}
	}
	free(dist);
}

int
graph_focus(struct graph *g, const char *jobid, int depth, enum graph_dir dir)
{
	ssize_t	 j = graph_lookup(g, 'j', jobid);
	bool	*up, *down;
	size_t	 i, a, b;

	if (j == -1)
		return -1;
	up = xcalloc(g->nnodes, sizeof(*up));
	down = xcalloc(g->nnodes, sizeof(*down));
	/* A job is two edges away from the next: through a dataset. */
	if (dir != GRAPH_DOWN)
		graph_walk(g, (size_t)j, (size_t)depth * 2, false, up);
	if (dir != GRAPH_UP)
		graph_walk(g, (size_t)j, (size_t)depth * 2, true, down);
	for (i = 0; i < g->nnodes; i++) {
		g->nodes[i].keep = up[i] || down[i] || i == (size_t)j;
		g->nodes[i].cut_up = g->nodes[i].cut_down = 0;
	}
	for (i = 0; i < g->nedges; i++) {
		a = g->edges[i][0];
		b = g->edges[i][1];
		if (g->nodes[a].keep && !g->nodes[b].keep)
			g->nodes[a].cut_down++;
		if (g->nodes[b].keep && !g->nodes[a].keep)
			g->nodes[b].cut_up++;
	}
	free(up);
	free(down);
	return 0;
}

/* Append s as the inside of a DOT quoted string. */
static void
graph_quote(struct strbuf *sb, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addc(sb, '\\');
		if (*s == '\n')
			strbuf_add(sb, "\\n");
		else
			strbuf_addc(sb, *s);
	}
}

/* Append the node id of n, quoted: "d:NAME" or "j:NAME" (a job and a
 * dataset may have the same name), after prefix. */
static void
graph_id(struct strbuf *sb, const char *prefix, const struct graph_node *n)
{
	strbuf_addf(sb, "\"%s%c:", prefix, n->kind);
	graph_quote(sb, n->name);
	strbuf_addc(sb, '"');
}

static const struct graph_colour *
graph_colour(const char *state)
{
	size_t	 i;

	for (i = 0; i < nitems(graph_colours); i++)
		if (is(state, graph_colours[i].state))
			return &graph_colours[i];
	return &graph_colours[nitems(graph_colours) - 1];
}

/* A job coloured and labelled by what it does. */
static void
graph_job_state(struct strbuf *sb, const struct graph_node *n)
{
	const struct graph_colour	*c = graph_colour(n->state);
	char				 buf[32];

	strbuf_add(sb, " [shape=box, style=\"rounded,filled\", label=\"");
	graph_quote(sb, n->name);
	strbuf_addf(sb, "\\n%s: %s claimable, %s running, %s failed",
	    n->state, n->claimable, n->running, n->failed);
	if (n->lag_secs != NULL)
		strbuf_addf(sb, "\\nlag %s", table_duration(strtod(n->lag_secs,
		    NULL), buf, sizeof(buf)));
	strbuf_addf(sb, "\", fillcolor=\"%s\", color=\"%s\", tooltip=\"",
	    c->fill, c->border);
	graph_quote(sb, n->name);
	strbuf_addf(sb, ": %s\"];\n", n->state);
}

static void
graph_node_dot(struct strbuf *sb, const struct graph_node *n, int flags)
{
	strbuf_addc(sb, '\t');
	graph_id(sb, "", n);
	if (n->kind == 'j' && (flags & GRAPH_DOT_STATE) != 0) {
		graph_job_state(sb, n);
		return;
	}
	/* Room under a job's name for its state, written by the page. */
	strbuf_add(sb, n->kind == 'j' ? " [shape=box, style=rounded, "
	    "width=1.6, height=0.55, label=\"" : " [shape=ellipse, label=\"");
	graph_quote(sb, n->name);
	strbuf_addc(sb, '"');
	/* Produced outside dataflow: marked READY by "dataflow ready". */
	if (n->kind == 'd' && n->external)
		strbuf_add(sb, ", style=dashed");
	strbuf_add(sb, "];\n");
}

/* The marker of what the focus left out beside n. */
static void
graph_cut_dot(struct strbuf *sb, const struct graph_node *n, bool up,
    size_t count)
{
	const char	*pre = up ? "cut:up:" : "cut:down:";

	strbuf_addc(sb, '\t');
	graph_id(sb, pre, n);
	strbuf_addf(sb, " [shape=plaintext, label=\"\xe2\x80\xa6 %zu more "
	    "%s\"];\n\t", count, up ? "upstream" : "downstream");
	graph_id(sb, up ? pre : "", n);
	strbuf_add(sb, " -> ");
	graph_id(sb, up ? "" : pre, n);
	strbuf_add(sb, " [style=dashed];\n");
}

char *
graph_dot(const struct graph *g, int flags)
{
	struct strbuf		 sb = STRBUF_INIT;
	const struct graph_node	*n;
	size_t			 i;

	strbuf_add(&sb, "// dataflow graph: datasets (ellipses, dashed when "
	    "produced outside dataflow)\n// and jobs (boxes)");
	if ((flags & GRAPH_DOT_STATE) != 0) {
		strbuf_add(&sb, " coloured by state:");
		for (i = 0; i < nitems(graph_colours); i++)
			strbuf_addf(&sb, " %s %s", graph_colours[i].state,
			    graph_colours[i].fill);
	}
	strbuf_add(&sb, "\ndigraph dataflow {\n"
	    "\trankdir=LR;\n"
	    "\tnode [fontname=\"Helvetica\", fontsize=10];\n"
	    "\tedge [color=\"#606060\"];\n");
	for (i = 0; i < g->nnodes; i++) {
		n = &g->nodes[i];
		if (n->keep)
			graph_node_dot(&sb, n, flags);
	}
	for (i = 0; i < g->nedges; i++) {
		if (!g->nodes[g->edges[i][0]].keep ||
		    !g->nodes[g->edges[i][1]].keep)
			continue;
		strbuf_addc(&sb, '\t');
		graph_id(&sb, "", &g->nodes[g->edges[i][0]]);
		strbuf_add(&sb, " -> ");
		graph_id(&sb, "", &g->nodes[g->edges[i][1]]);
		strbuf_add(&sb, ";\n");
	}
	for (i = 0; (flags & GRAPH_DOT_STATE) == 0 && i < g->nnodes; i++) {
		n = &g->nodes[i];
		if (n->keep && n->cut_up > 0)
			graph_cut_dot(&sb, n, true, n->cut_up);
		if (n->keep && n->cut_down > 0)
			graph_cut_dot(&sb, n, false, n->cut_down);
	}
	strbuf_add(&sb, "}\n");
	return strbuf_detach(&sb);
}

char *
graph_render(const char *path, const char *dot, const char *format,
    long timeout_ms, size_t max, size_t *len, char **errp)
{
	struct spawn_output	 o;
	const char		*argv[3];
	char			*targ;
	int			 st;

	targ = xasprintf("-T%s", format);
	argv[0] = path;
	argv[1] = targ;
	argv[2] = NULL;
	if (spawn_filter(argv, dot, timeout_ms, max, &o, errp) == -1) {
		free(targ);
		return NULL;
	}
	st = o.wstatus;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		free(targ);
		free(o.err);
		*len = o.len;
		return o.out;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		*errp = xasprintf("could not run \"%s\"%s%s", path,
		    o.err != NULL ? ": " : "", o.err != NULL ? o.err : "");
	else if (WIFEXITED(st))
		*errp = xasprintf("\"%s %s\" failed with exit status %d%s%s",
		    path, targ, WEXITSTATUS(st), o.err != NULL ? ": " : "",
		    o.err != NULL ? o.err : "");
	else
		*errp = xasprintf("\"%s %s\" died of signal %d", path, targ,
		    WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	free(targ);
	free(o.out);
	free(o.err);
	return NULL;
}

/* --- the layout ---------------------------------------------------------- */

/* Points, one decimal: what a page needs, and a stable text. */
static json_t *
graph_num(double v)
{
	return json_real((double)(long long)(v * 10 + (v < 0 ? -0.5 : 0.5)) /
	    10);
}

/* Parse "x,y" at *s into [x, h - y] (SVG's y goes down); advance *s. */
static json_t *
graph_point(const char **s, double h)
{
	char	*end;
	double	 x, y;

	x = strtod(*s, &end);
	if (end == *s || *end != ',')
		return NULL;
	*s = end + 1;
	y = strtod(*s, &end);
	if (end == *s)
		return NULL;
	*s = end;
	return json_pack("[oo]", graph_num(x), graph_num(h - y));
}

/* The spline of an edge's "pos": "[s,x,y ][e,x,y ]x,y x,y ..." as
 * {"points": [...], "end": [x, y]} into e. Return 0, or -1. */
static int
graph_spline(json_t *e, const char *pos, double h)
{
	json_t	*pts = json_array(), *p;
	bool	 end;

	json_object_set_new(e, "points", pts);
	while (*pos != '\0') {
		while (*pos == ' ')
			pos++;
		if (*pos == '\0')
			break;
		end = pos[0] == 'e' && pos[1] == ',';
		if ((pos[0] == 's' || pos[0] == 'e') && pos[1] == ',')
			pos += 2;
		if ((p = graph_point(&pos, h)) == NULL)
			return -1;
		if (end)
			json_object_set_new(e, "end", p);
		else
			json_array_append_new(pts, p);
	}
	return json_array_size(pts) > 0 ? 0 : -1;
}

/* The string o[key], or "" when there is none. */
static const char *
graph_str(json_t *o, const char *key)
{
	const char	*v = json_string_value(json_object_get(o, key));

	return v != NULL ? v : "";
}

/* The layout's node of dot's object o, or NULL when o is not one of g's
 * kept nodes or a cut of one. */
static json_t *
graph_layout_node(const struct graph *g, json_t *o, double h)
{
	const char		*id, *pos, *of;
	const struct graph_node	*n;
	json_t			*node, *xy;
	bool			 up;

	id = json_string_value(json_object_get(o, "name"));
	pos = json_string_value(json_object_get(o, "pos"));
	if (id == NULL || pos == NULL || (xy = graph_point(&pos, h)) == NULL)
		return NULL;
	up = strncmp(id, "cut:up:", 7) == 0;
	of = up ? id + 7 : strncmp(id, "cut:down:", 9) == 0 ? id + 9 : NULL;
	if (of == NULL)
		of = id;
	n = strlen(of) > 2 && of[1] == ':' ? graph_find(g, of[0], of + 2) :
	    NULL;
	if (of == id)
		of = NULL;
	if (n == NULL || !n->keep) {
		json_decref(xy);
		return NULL;
	}
	node = json_pack("{ss ss ss sO sO so so}", "id", id,
	    "kind", of != NULL ? "cut" : n->kind == 'j' ? "job" : "dataset",
	    "name", n->name,
	    "x", json_array_get(xy, 0), "y", json_array_get(xy, 1),
	    "width", graph_num(72 * strtod(graph_str(o, "width"), NULL)),
	    "height", graph_num(72 * strtod(graph_str(o, "height"), NULL)));
	json_decref(xy);
	if (node != NULL && of != NULL) {
		json_object_set_new(node, "of", json_string(of));
		json_object_set_new(node, "direction", json_string(up ? "up" :
		    "down"));
		json_object_set_new(node, "count", json_integer((json_int_t)(
		    up ? n->cut_up : n->cut_down)));
	}
	return node;
}

/* The layout's edges of dot's, their ends named by ids. */
static int
graph_layout_edges(json_t *doc, json_t *dot, json_t *ids, double h)
{
	json_t	*edges = json_array(), *d, *e;
	size_t	 i;
	int	 rc = 0;

	json_object_set_new(doc, "edges", edges);
	json_array_foreach(json_object_get(dot, "edges"), i, d) {
		e = json_pack("{sOsO}", "from", json_array_get(ids,
		    (size_t)json_integer_value(json_object_get(d, "tail"))),
		    "to", json_array_get(ids, (size_t)json_integer_value(
		    json_object_get(d, "head"))));
		if (e == NULL || graph_spline(e, graph_str(d, "pos"), h) == -1)
			rc = -1;
		json_array_append_new(edges, e != NULL ? e : json_null());
	}
	return rc;
}

/* The size of dot's bounding box "llx,lly,urx,ury" (points) into *w, *h.
 * Return 0, or -1 when bb is not one. */
static int
graph_bb(const char *bb, double *w, double *h)
{
	double	 v[4];
	char	*end;
	int	 i;

	for (i = 0; i < 4; i++) {
		v[i] = strtod(bb, &end);
		if (end == bb || *end != (i < 3 ? ',' : '\0'))
			return -1;
		bb = end + (i < 3);
	}
	*w = v[2] - v[0];
	*h = v[3] - v[1];
	return 0;
}

char *
graph_layout_json(const struct graph *g, const char *dotjson, size_t len,
    char **errp)
{
	json_error_t	 je;
	json_t		*dot, *doc = NULL, *nodes, *ids, *o, *n;
	const char	*bb;
	char		*text = NULL;
	double		 w, h;
	size_t		 i;

	if ((dot = json_loadb(dotjson, len, 0, &je)) == NULL) {
		*errp = xasprintf("dot's layout is not JSON: %s", je.text);
		return NULL;
	}
	bb = graph_str(dot, "bb");
	if (graph_bb(bb, &w, &h) == -1) {
		*errp = xstrdup("dot's layout has no bounding box");
		goto out;
	}
	doc = json_pack("{ss so so}", "engine", "dot", "width", graph_num(w),
	    "height", graph_num(h));
	nodes = json_array();
	ids = json_array();
	json_object_set_new(doc, "nodes", nodes);
	json_array_foreach(json_object_get(dot, "objects"), i, o) {
		if ((n = graph_layout_node(g, o, h)) == NULL) {
			*errp = xasprintf("dot's layout has a node \"%.64s\" "
			    "not asked for", graph_str(o, "name"));
			json_decref(ids);
			goto out;
		}
		json_array_append(ids, json_object_get(n, "id"));
		json_array_append_new(nodes, n);
	}
	if (graph_layout_edges(doc, dot, ids, h) == -1)
		*errp = xstrdup("dot's layout has an edge without its ends");
	else
		text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(10));
	json_decref(ids);
	if (text == NULL && *errp == NULL)
		*errp = xstrdup("could not encode the layout");
out:
	json_decref(doc);
	json_decref(dot);
	return text;
}
