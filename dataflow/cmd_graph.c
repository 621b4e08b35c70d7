/* cmd_graph.c: "dataflow graph": datasets and jobs as a Graphviz graph,
 * jobs coloured by what they are doing, or rendered by dot(1). */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataflow.h"
#include "db.h"
#include "duration.h"
#include "exitcodes.h"
#include "fileio.h"
#include "graph.h"
#include "ids.h"
#include "listing.h"
#include "process.h"
#include "settings.h"
#include "xmalloc.h"

#define GRAPH_LAG	86400	/* a pending partition older is lagging */
#define GRAPH_RENDER_MAX (1024L * 1024 * 1024) /* bytes of a picture */

/* The output formats: DOT itself, or what dot -T makes of it. */
static const char *const graph_formats[] = { "dot", "svg", "png", "pdf" };

/*
 * Write what dot (at path, no shell) makes of the DOT text with -Tformat
 * on our standard output. Return the exit status.
 */
static int
cmd_graph_render(const char *path, const char *dot, const char *format)
{
	struct sigaction	 ign, old;
	char			*out, *errmsg = NULL;
	size_t			 len;
	int			 rc = EXIT_OK;

	/* If dot stops reading, our write fails with EPIPE instead of
	 * killing us, and its exit status says why. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	out = graph_render(path, dot, format, 0, GRAPH_RENDER_MAX, &len,
	    &errmsg);
	if (out == NULL) {
		warnx("%s", errmsg);
		rc = EXIT_FAIL;
	} else if (fflush(stdout) == EOF ||
	    fileio_write_all(STDOUT_FILENO, out, len) == -1) {
		warn("could not write the graph");
		rc = EXIT_FAIL;
	}
	sigaction(SIGPIPE, &old, NULL);
	free(out);
	free(errmsg);
	return rc;
}

static int
cmd_graph_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_FORMAT = 256, OPT_LAG };
	static const struct option longopts[] = {
		{ "format",	required_argument,	NULL, OPT_FORMAT },
		{ "lag",	required_argument,	NULL, OPT_LAG },
		{ NULL,		0,			NULL, 0 }
	};
	struct settings		*s = NULL;
	struct db		*db = NULL;
	struct db_error		 e = { 0 };
	struct db_result	*r = NULL;
	struct graph		*gr = NULL;
	const char		*jobid = NULL, *format = "dot";
	char			*dot = NULL, *errmsg = NULL, *json;
	char			*dotpath = NULL;
	long			 lag = GRAPH_LAG;
	size_t			 k;
	int			 ch, status;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_FORMAT:
			format = optarg;
			break;
		case OPT_LAG:
			if (duration_parse(optarg, &lag, &errmsg) == -1) {
				warnx("--lag: %s", errmsg);
				free(errmsg);
				return cmd_usage(&cmd_graph_entry);
			}
			break;
		default:
			return cmd_usage(&cmd_graph_entry);
		}
	}
	if (argc - optind > 1)
		return cmd_usage(&cmd_graph_entry);
	for (k = 0; k < sizeof(graph_formats) / sizeof(graph_formats[0]); k++)
		if (strcmp(format, graph_formats[k]) == 0)
			break;
	if (k == sizeof(graph_formats) / sizeof(graph_formats[0])) {
		warnx("unknown --format \"%s\": dot, svg, png or pdf", format);
		return EXIT_USAGE;
	}
	if (g->json && k != 0) {
		warnx("--json and --format %s exclude each other", format);
		return EXIT_USAGE;
	}
	/* Before the database is asked anything. */
	if (k != 0 && (dotpath = process_which("dot")) == NULL) {
		warnx("--format %s needs Graphviz's \"dot\", which is not "
		    "installed (Debian package graphviz)", format);
		return EXIT_CONFIG;
	}
	if (optind < argc) {
		jobid = argv[optind];
		if (!ident_valid(jobid)) {
			warnx("\"%s\" is not a valid job id", jobid);
			free(dotpath);
			return EXIT_USAGE;
		}
	}
	if ((db = cmd_connect(g, &s, &status)) == NULL) {
		free(dotpath);
		return status;
	}
	if (g->json) {
		status = listing_graph_json(db, jobid, lag, &json, &e);
		status = cmd_print_json("read the graph", status, json, &e);
		goto out;
	}
	if (listing_graph(db, jobid, lag, &r, &e) == -1) {
		status = cmd_db_fail("read the graph", &e);
		goto out;
	}
	gr = graph_from_rows(r);
	dot = graph_dot(gr, GRAPH_DOT_STATE);
	if (k == 0) {
		fputs(dot, stdout);
		status = EXIT_OK;
	} else
		status = cmd_graph_render(dotpath, dot, format);
out:
	free(dotpath);
	free(dot);
	graph_free(gr);
	db_result_free(r);
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_graph_entry = {
	"graph", "[--format dot | svg | png | pdf] [--lag DURATION] [JOB]",
	"datasets and jobs as a Graphviz graph, coloured by state",
	cmd_graph_exec
};
