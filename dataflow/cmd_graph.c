/* cmd_graph.c: "dataflow graph": datasets and jobs as a Graphviz graph,
 * jobs coloured by what they are doing, or rendered by dot(1). */
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
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
#include "ids.h"
#include "listing.h"
#include "process.h"
#include "settings.h"
#include "spawn.h"
#include "strbuf.h"
#include "xmalloc.h"

#define GRAPH_LAG	86400	/* a pending partition older is lagging */

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

/* The output formats: DOT itself, or what dot -T makes of it. */
static const char *const graph_formats[] = { "dot", "svg", "png", "pdf" };

static bool
is(const char *v, const char *want)
{
	return v != NULL && strcmp(v, want) == 0;
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

/* Append the node id of a dataset ("d:") or job ("j:"), quoted: a job and
 * a dataset may have the same name. */
static void
graph_id(struct strbuf *sb, char kind, const char *name)
{
	strbuf_addf(sb, "\"%c:", kind);
	graph_quote(sb, name);
	strbuf_addc(sb, '"');
}

static const struct graph_colour *
graph_colour(const char *state)
{
	size_t	 i, n = sizeof(graph_colours) / sizeof(graph_colours[0]);

	for (i = 0; i < n; i++)
		if (is(state, graph_colours[i].state))
			return &graph_colours[i];
	return &graph_colours[n - 1];
}

static void
graph_job(struct strbuf *sb, const struct db_result *r, int i)
{
	const struct graph_colour	*c;
	const char			*v;
	char				 buf[32];

	c = graph_colour(db_col(r, i, "state"));
	strbuf_addc(sb, '\t');
	graph_id(sb, 'j', db_col(r, i, "name"));
	strbuf_add(sb, " [shape=box, style=\"rounded,filled\", label=\"");
	graph_quote(sb, db_col(r, i, "name"));
	strbuf_addf(sb, "\\n%s: %s claimable, %s running, %s failed",
	    db_col(r, i, "state"), db_col(r, i, "claimable"),
	    db_col(r, i, "running"), db_col(r, i, "failed"));
	if ((v = db_col(r, i, "lag_secs")) != NULL)
		strbuf_addf(sb, "\\nlag %s", cmd_duration(v, buf,
		    sizeof(buf)));
	strbuf_addf(sb, "\", fillcolor=\"%s\", color=\"%s\", tooltip=\"",
	    c->fill, c->border);
	graph_quote(sb, db_col(r, i, "name"));
	strbuf_addf(sb, ": %s\"];\n", db_col(r, i, "state"));
}

static void
graph_dataset(struct strbuf *sb, const struct db_result *r, int i)
{
	strbuf_addc(sb, '\t');
	graph_id(sb, 'd', db_col(r, i, "name"));
	strbuf_add(sb, " [shape=ellipse, label=\"");
	graph_quote(sb, db_col(r, i, "name"));
	strbuf_addc(sb, '"');
	/* Produced outside dataflow: marked READY by "dataflow ready". */
	if (db_col(r, i, "producer") == NULL)
		strbuf_add(sb, ", style=dashed");
	strbuf_add(sb, "];\n");
}

static void
graph_edge(struct strbuf *sb, const struct db_result *r, int i)
{
	strbuf_addc(sb, '\t');
	if (is(db_col(r, i, "itemtype"), "IN")) {
		graph_id(sb, 'd', db_col(r, i, "peer"));
		strbuf_add(sb, " -> ");
		graph_id(sb, 'j', db_col(r, i, "name"));
	} else {
		graph_id(sb, 'j', db_col(r, i, "name"));
		strbuf_add(sb, " -> ");
		graph_id(sb, 'd', db_col(r, i, "peer"));
	}
	strbuf_add(sb, ";\n");
}

/* Return the graph in the DOT language; caller frees. */
static char *
graph_dot(const struct db_result *r)
{
	struct strbuf	 sb = STRBUF_INIT;
	size_t		 c;
	int		 i;

	strbuf_add(&sb, "// dataflow graph: datasets (ellipses, dashed when "
	    "produced outside dataflow)\n// and jobs (boxes) coloured by "
	    "state:");
	for (c = 0; c < sizeof(graph_colours) / sizeof(graph_colours[0]); c++)
		strbuf_addf(&sb, " %s %s", graph_colours[c].state,
		    graph_colours[c].fill);
	strbuf_add(&sb, "\ndigraph dataflow {\n"
	    "\trankdir=LR;\n"
	    "\tnode [fontname=\"Helvetica\", fontsize=10];\n"
	    "\tedge [color=\"#606060\"];\n");
	for (i = 0; i < db_rows(r); i++) {
		if (is(db_col(r, i, "kind"), "dataset"))
			graph_dataset(&sb, r, i);
		else if (is(db_col(r, i, "kind"), "job"))
			graph_job(&sb, r, i);
		else
			graph_edge(&sb, r, i);
	}
	strbuf_add(&sb, "}\n");
	return strbuf_detach(&sb);
}

/*
 * Render dot with "path -Tformat" (Graphviz's dot, no shell) onto our
 * standard output. Return the exit status.
 */
static int
graph_render(char *path, const char *dot, const char *format)
{
	struct sigaction	 ign, old;
	struct spawn		 sp;
	const char		*argv[3];
	char			*targ, *errmsg = NULL;
	pid_t			 pid;
	int			 fd[2], st, rc = EXIT_FAIL, written;

	targ = xasprintf("-T%s", format);
	argv[0] = path;
	argv[1] = targ;
	argv[2] = NULL;
	fflush(stdout);
	if (pipe2(fd, O_CLOEXEC) == -1) {
		warn("could not run \"%s\"", path);
		goto out;
	}
	memset(&sp, 0, sizeof(sp));
	sp.argv = argv;
	sp.fd[0] = fd[0];
	sp.fd[1] = sp.fd[2] = -1;
	pid = spawn_start(&sp, &errmsg);
	close(fd[0]);
	if (pid == -1) {
		warnx("%s", errmsg);
		free(errmsg);
		close(fd[1]);
		goto out;
	}
	/* If dot stops reading, write fails with EPIPE instead of killing
	 * us, and its exit status says why. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	written = fileio_write_all(fd[1], dot, strlen(dot)) == 0;
	close(fd[1]);
	if (spawn_wait(pid, &st) == -1) {
		warn("could not wait for \"%s\"", path);
		st = -1;
	}
	sigaction(SIGPIPE, &old, NULL);
	if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && written)
		rc = EXIT_OK;
	else if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 127)
		warnx("could not run \"%s\"", path);
	else if (st != -1 && WIFEXITED(st))
		warnx("\"%s %s\" failed with exit status %d", path, targ,
		    WEXITSTATUS(st));
	else if (st != -1 && WIFSIGNALED(st))
		warnx("\"%s %s\" died of signal %d", path, targ,
		    WTERMSIG(st));
out:
	free(targ);
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
	dot = graph_dot(r);
	if (k == 0) {
		fputs(dot, stdout);
		status = EXIT_OK;
	} else
		status = graph_render(dotpath, dot, format);
out:
	free(dotpath);
	free(dot);
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
