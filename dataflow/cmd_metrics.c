/* cmd_metrics.c: "dataflow metrics": every job's and host's state in the
 * Prometheus text format, on stdout or as a node_exporter textfile. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "dataflow.h"
#include "db.h"
#include "duration.h"
#include "exitcodes.h"
#include "listing.h"
#include "prom.h"
#include "settings.h"

#define METRICS_TEXTFILE	"dataflow.prom"	/* the collector reads *.prom */
#define METRICS_WINDOW		86400		/* of the duration summary */

static int
cmd_metrics_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_TEXTFILE = 256, OPT_WINDOW };
	static const struct option longopts[] = {
		{ "textfile",	required_argument,	NULL, OPT_TEXTFILE },
		{ "window",	required_argument,	NULL, OPT_WINDOW },
		{ NULL,		0,			NULL, 0 }
	};
	struct settings		*s = NULL;
	struct db		*db = NULL;
	struct db_error		 e = { 0 };
	const char		*dir = NULL;
	char			*text = NULL, *errmsg = NULL;
	long			 window = METRICS_WINDOW;
	int			 ch, status;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_TEXTFILE:
			dir = optarg;
			break;
		case OPT_WINDOW:
			if (duration_parse(optarg, &window, &errmsg) == -1) {
				warnx("--window: %s", errmsg);
				free(errmsg);
				return cmd_usage(&cmd_metrics_entry);
			}
			break;
		default:
			return cmd_usage(&cmd_metrics_entry);
		}
	}
	if (optind != argc)
		return cmd_usage(&cmd_metrics_entry);
	if (g->json) {
		warnx("metrics prints the Prometheus text format: --json does "
		    "not apply");
		return EXIT_USAGE;
	}
	if (dir != NULL && dir[0] == '\0') {
		warnx("--textfile needs a directory");
		return EXIT_USAGE;
	}
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	if (listing_metrics_text(db, window, &text, &e) == -1) {
		status = cmd_db_fail("read the metrics", &e);
		goto out;
	}
	status = EXIT_FAIL;
	if (dir == NULL) {
		fputs(text, stdout);
		status = EXIT_OK;
	} else if (prom_textfile_write(dir, METRICS_TEXTFILE, text,
	    &errmsg) == -1)
		warnx("%s", errmsg);
	else
		status = EXIT_OK;
out:
	free(errmsg);
	free(text);
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_metrics_entry = {
	"metrics", "[--textfile DIR] [--window DURATION]",
	"the state of jobs and hosts for Prometheus", cmd_metrics_exec
};
