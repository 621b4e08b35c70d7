/* test_graph.c: unit tests for lib/graph.c: the focus and its cuts, the
 * DOT text (every name quoted, the same for the same catalog), and the
 * layout read from what dot -Tjson0 writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "graph.h"

/*
 * raw -> load -> clean -> report -> sums -> publish, clean -> audit,
 * raw -> other: jobs are upper case here, datasets lower.
 */
static struct graph *
chain(void)
{
	static const char *const jobs[] = { "load", "report", "audit",
	    "other", "publish" };
	static const char *const sets[] = { "raw", "clean", "sums", "side" };
	static const char *const edges[][4] = {
		{ "d", "raw", "j", "load" }, { "j", "load", "d", "clean" },
		{ "d", "clean", "j", "report" }, { "j", "report", "d", "sums" },
		{ "d", "sums", "j", "publish" }, { "d", "clean", "j", "audit" },
		{ "d", "raw", "j", "other" }, { "j", "other", "d", "side" },
	};
	struct graph	*g = graph_new();
	size_t		 i;

	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		assert_non_null(graph_add_node(g, 'd', sets[i]));
	for (i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++)
		assert_non_null(graph_add_node(g, 'j', jobs[i]));
	assert_null(graph_add_node(g, 'j', "load"));
	graph_index(g);
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		assert_int_equal(graph_add_edge(g, edges[i][0][0],
		    edges[i][1], edges[i][2][0], edges[i][3]), 0);
	assert_int_equal(graph_add_edge(g, 'd', "nosuch", 'j', "load"), -1);
	return g;
}

/* The kept nodes, "kNAME" each, with their cuts: "^N" up, "vN" down. */
static char *
kept(const struct graph *g)
{
	char	 buf[512] = "";
	size_t	 i;

	for (i = 0; i < g->nnodes; i++) {
		if (!g->nodes[i].keep)
			continue;
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
		    "%s%c%s", buf[0] != '\0' ? " " : "", g->nodes[i].kind,
		    g->nodes[i].name);
		if (g->nodes[i].cut_up > 0)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			    "^%zu", g->nodes[i].cut_up);
		if (g->nodes[i].cut_down > 0)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			    "v%zu", g->nodes[i].cut_down);
	}
	return strdup(buf);
}

static void
test_focus(void **state)
{
	static const struct {
		const char	*job;
		int		 depth;
		enum graph_dir	 dir;
		const char	*want;
	} cases[] = {
		{ "report", 1, GRAPH_BOTH,
		    "dclean^0v1 dsums jload^1 jreport jpublish" },
		{ "report", 0, GRAPH_UP,
		    "draw^0v1 dclean^0v1 jload jreport^0v1" },
		{ "load", 0, GRAPH_DOWN,
		    "dclean dsums jload^1 jreport jaudit jpublish" },
		{ "other", 1, GRAPH_BOTH, "draw^0v1 dside jother" },
	};
	struct graph	*g = chain();
	char		*got, *want;
	size_t		 i, j;

	(void)state;
	assert_int_equal(graph_focus(g, "nosuch", 0, GRAPH_BOTH), -1);
	assert_int_equal(graph_focus(g, "raw", 0, GRAPH_BOTH), -1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(graph_focus(g, cases[i].job, cases[i].depth,
		    cases[i].dir), 0);
		got = kept(g);
		/* "^0" in a case only reads better: no such cut. */
		want = strdup(cases[i].want);
		for (j = 0; want[j] != '\0'; j++)
			if (want[j] == '^' && want[j + 1] == '0')
				memmove(want + j, want + j + 2,
				    strlen(want + j + 2) + 1);
		assert_string_equal(got, want);
		free(got);
		free(want);
	}
	graph_free(g);
	graph_free(NULL);
}

/* Every name is quoted, whatever it holds; the catalog's text does not
 * depend on the state, and the cuts are nodes of their own. */
static void
test_dot(void **state)
{
	struct graph		*g = graph_new();
	struct graph_node	*n;
	char			*a, *b;

	(void)state;
	graph_add_node(g, 'd', "in\"put\\<b>");
	n = graph_add_node(g, 'j', "a\nb");
	n->state = "failed";
	n->claimable = n->running = n->failed = "1";
	graph_index(g);
	assert_int_equal(graph_add_edge(g, 'd', "in\"put\\<b>", 'j', "a\nb"),
	    0);
	a = graph_dot(g, 0);
	assert_non_null(strstr(a, "\t\"d:in\\\"put\\\\<b>\" [shape=ellipse, "
	    "label=\"in\\\"put\\\\<b>\"];\n"));
	assert_non_null(strstr(a, "\"j:a\\nb\" [shape=box"));
	assert_null(strstr(a, "failed"));
	n->state = "idle";
	b = graph_dot(g, 0);
	assert_string_equal(a, b);
	free(b);
	b = graph_dot(g, GRAPH_DOT_STATE);
	assert_non_null(strstr(b, "fillcolor=\"#ffffff\""));
	free(a);
	free(b);
	graph_free(g);

	g = chain();
	assert_int_equal(graph_focus(g, "report", 1, GRAPH_BOTH), 0);
	a = graph_dot(g, 0);
	assert_non_null(strstr(a, "\t\"cut:up:j:load\" [shape=plaintext, "
	    "label=\"\xe2\x80\xa6 1 more upstream\"];\n\t\"cut:up:j:load\" -> "
	    "\"j:load\" [style=dashed];\n"));
	assert_non_null(strstr(a, "\t\"d:clean\" -> \"cut:down:d:clean\""));
	assert_null(strstr(a, "\"j:other\""));
	free(a);
	graph_free(g);
}

/* What dot -Tjson0 writes, read into the API's layout. */
static void
test_layout(void **state)
{
	static const char dotjson[] = "{\"bb\": \"0,0,200,100\", "
	    "\"objects\": [{\"_gvid\": 0, \"name\": \"d:raw\", "
	    "\"pos\": \"27,80\", \"width\": \"0.75\", \"height\": \"0.5\"}, "
	    "{\"_gvid\": 1, \"name\": \"j:load\", \"pos\": \"150,80\", "
	    "\"width\": \"1.6\", \"height\": \"0.55\"}], "
	    "\"edges\": [{\"tail\": 0, \"head\": 1, "
	    "\"pos\": \"e,92,80 54,80 62,80 72,80 82,80\"}]}";
	static const char bad[] = "{\"bb\": \"0,0,1,1\", \"objects\": "
	    "[{\"_gvid\": 0, \"name\": \"j:<script>\", \"pos\": \"1,1\"}]}";
	struct graph	*g = graph_new();
	char		*json, *err = NULL;

	(void)state;
	graph_add_node(g, 'd', "raw");
	graph_add_node(g, 'j', "load");
	graph_index(g);
	graph_add_edge(g, 'd', "raw", 'j', "load");
	json = graph_layout_json(g, dotjson, strlen(dotjson), &err);
	assert_null(err);
	assert_string_equal(json, "{\"engine\":\"dot\",\"width\":200.0,"
	    "\"height\":100.0,\"nodes\":[{\"id\":\"d:raw\",\"kind\":"
	    "\"dataset\",\"name\":\"raw\",\"x\":27.0,\"y\":20.0,\"width\":"
	    "54.0,\"height\":36.0},{\"id\":\"j:load\",\"kind\":\"job\","
	    "\"name\":\"load\",\"x\":150.0,\"y\":20.0,\"width\":115.2,"
	    "\"height\":39.6}],\"edges\":[{\"from\":\"d:raw\",\"to\":"
	    "\"j:load\",\"points\":[[54.0,20.0],[62.0,20.0],[72.0,20.0],"
	    "[82.0,20.0]],\"end\":[92.0,20.0]}]}");
	free(json);
	/* A node not asked for (a dot of someone else's) is refused. */
	assert_null(graph_layout_json(g, bad, strlen(bad), &err));
	assert_string_equal(err, "dot's layout has a node \"j:<script>\" "
	    "not asked for");
	free(err);
	err = NULL;
	assert_null(graph_layout_json(g, "<svg/>", 6, &err));
	assert_non_null(strstr(err, "not JSON"));
	free(err);
	graph_free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_focus),
		cmocka_unit_test(test_dot),
		cmocka_unit_test(test_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
