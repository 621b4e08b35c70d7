/* graph.h: the graph of datasets and jobs (df_graph's rows): one job's
 * neighbourhood to focus on, the graph in the DOT language, and the
 * layout Graphviz's dot makes of it. */
#ifndef DF_GRAPH_H
#define DF_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

struct db_result;

/* The directions a focus follows from its job. */
enum graph_dir {
	GRAPH_BOTH,
	GRAPH_UP,	/* what the job reads, and what makes that */
	GRAPH_DOWN	/* what the job makes, and what reads that */
};

/* A node: its strings are the caller's (the rows'). */
struct graph_node {
	char		 kind;		/* 'd' a dataset, 'j' a job */
	const char	*name;
	const char	*state;		/* a job's (df_graph), else NULL */
	const char	*claimable, *running, *failed;
	const char	*lag_secs;	/* NULL: nothing pending */
	bool		 external;	/* a dataset made outside dataflow */
	bool		 keep;		/* in the graph (graph_focus) */
	size_t		 cut_up;	/* neighbours left out upstream */
	size_t		 cut_down;	/* and downstream */
};

struct graph {
	struct graph_node	*nodes;
	size_t			 nnodes;
	size_t			(*edges)[2];	/* from, to: node indexes */
	size_t			 nedges;
	size_t			*index;		/* nodes by kind and name */
};

/* How graph_dot writes the graph. */
#define GRAPH_DOT_STATE	0x1	/* jobs coloured and labelled by state
				   (dataflow graph); without it only the
				   catalog is written: the same text for
				   the same jobs and datasets, whatever
				   they do (what is laid out once) */

/* Return the graph of df_graph's rows (strings borrowed from them: free
 * the graph first), every node kept; caller frees with graph_free. */
struct graph	*graph_from_rows(const struct db_result *r);
/* Return an empty graph; caller frees with graph_free. */
struct graph	*graph_new(void);
/* Add a node (name borrowed); return it, or NULL when there is one of
 * that kind and name already. Call graph_index before finding. */
struct graph_node *graph_add_node(struct graph *g, char kind,
		    const char *name);
/* Add the edge from one node to another, found by kind and name (after
 * graph_index); return 0, or -1 when either is not in the graph. */
int		 graph_add_edge(struct graph *g, char fkind, const char *from,
		    char tkind, const char *to);
/* Index the nodes by kind and name for graph_find (after adding). */
void		 graph_index(struct graph *g);
/* Return the node of that kind and name, or NULL. */
struct graph_node *graph_find(const struct graph *g, char kind,
		    const char *name);
/*
 * Keep only job jobid and what lies within depth jobs of it (0: any) in
 * direction dir, counting in each kept node its neighbours left out (the
 * cut). Return 0, or -1 when there is no such job.
 */
int		 graph_focus(struct graph *g, const char *jobid, int depth,
		    enum graph_dir dir);
/*
 * Return the kept graph in the DOT language (flags GRAPH_DOT_*): nodes
 * "d:NAME" and "j:NAME", every string quoted; without GRAPH_DOT_STATE a
 * node "cut:up:ID" or "cut:down:ID" stands for what was cut beside ID.
 * Caller frees.
 */
char		*graph_dot(const struct graph *g, int flags);
/*
 * Return the layout of g as the JSON text the API serves (caller frees):
 * {"engine", "width", "height", "nodes": [{"id", "kind", "name", "x",
 * "y", "width", "height"}], "edges": [{"from", "to", "points"}]}, points
 * in SVG's frame (y down), from dotjson, what "dot -Tjson0" made of
 * graph_dot(g, 0). Return NULL with *errp (caller frees) when dotjson is
 * not such a document.
 */
char		*graph_layout_json(const struct graph *g, const char *dotjson,
		    size_t len, char **errp);
/*
 * Run Graphviz's dot at path (no shell) on the DOT text dot, with -Tformat,
 * for at most timeout_ms (0: no limit) and max bytes of output. Return its
 * output (*len its length; caller frees), or NULL with *errp (caller
 * frees) saying why. The caller ignores SIGPIPE.
 */
char		*graph_render(const char *path, const char *dot,
		    const char *format, long timeout_ms, size_t max,
		    size_t *len, char **errp);
/* Free g and its nodes (not their strings); NULL is a no-op. */
void		 graph_free(struct graph *g);

#endif
