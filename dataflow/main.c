/* dataflow: operations on the dataflow database: schema, configuration,
 * partitions, status and reruns. Subcommands are declared as a table. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "harden.h"
#include "open.h"
#include "passkey.h"
#include "properties.h"
#include "schema.h"
#include "settings.h"

static const struct cmd_entry *const cmd_table[] = {
	&cmd_init_entry,
	&cmd_validate_entry,
	&cmd_apply_entry,
	&cmd_export_entry,
	&cmd_ready_entry,
	&cmd_trigger_entry,
	&cmd_status_entry,
	&cmd_runs_entry,
	&cmd_show_entry,
	&cmd_explain_entry,
	&cmd_resubmit_entry,
	&cmd_pause_entry,
	&cmd_resume_entry,
	&cmd_audit_entry,
	&cmd_purge_entry,
	&cmd_metrics_entry,
	&cmd_workers_entry,
	&cmd_graph_entry,
	&cmd_serve_entry,
	&cmd_token_entry,
	&cmd_rekey_entry,
	&cmd_local_entry,
	&cmd_import_entry,
	&cmd_complete_entry,
	NULL
};

static void
print_help(FILE *f)
{
	const struct cmd_entry *const *c;

	fputs("usage: dataflow [--config FILE] [--passkey-file FILE] [--json] "
	    "[-qv] COMMAND [ARGS...]\n\ncommands:\n", f);
	for (c = cmd_table; *c != NULL; c++)
		fprintf(f, "  %-20s %s\n", (*c)->name, (*c)->summary);
}

int
cmd_usage(const struct cmd_entry *entry)
{
	fprintf(stderr, "usage: dataflow %s %s\n", entry->name, entry->usage);
	return EXIT_USAGE;
}

/* The command called name, or NULL. */
static const struct cmd_entry *
find_command(const char *name)
{
	const struct cmd_entry *const *c;

	for (c = cmd_table; *c != NULL; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	return NULL;
}

/* "dataflow CMD --help" and "dataflow help CMD": its synopsis, on stdout. */
static int
command_help(const struct cmd_entry *c)
{
	printf("usage: dataflow %s %s\n\n%s\nSee dataflow(1).\n", c->name,
	    c->usage, c->summary);
	return EXIT_OK;
}

/* Whether argv asks for help before its "--": -h or --help. */
static bool
wants_help(int argc, char **argv)
{
	int	 i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

/* Warnings of opening (a properties file others can read) are said; with
 * -v also the file used and what it ignores. ARG points at the verbosity,
 * or is NULL (warnings only). */
void
cmd_open_report(void *arg, enum report_level level, const char *msg)
{
	const int	*verbosity = arg;

	if (level == REPORT_WARN || (verbosity != NULL && *verbosity > 1))
		warnx("%s", msg);
}

struct db *
cmd_connect(const struct global_opts *g, struct settings **sp, int *status)
{
	static int		 verbosity;
	struct open_opts	 oo;
	struct db		*db;
	char			*errmsg = NULL;

	memset(&oo, 0, sizeof(oo));
	oo.config = g->config;
	oo.passkey_file = g->passkey_file;
	oo.passkey = OPEN_PASSKEY_NEEDED;
	oo.appname = "dataflow";
	oo.db_flags = DB_SEARCH_PATH;
	oo.report.fn = cmd_open_report;
	verbosity = g->verbosity;
	oo.report.arg = &verbosity;
	if ((*status = open_database(&oo, NULL, sp, &db, &errmsg)) !=
	    EXIT_OK) {
		warnx("%s", errmsg);
		free(errmsg);
		return NULL;
	}
	return db;
}

void
cmd_schema_warn(struct db *db)
{
	struct db_error	 e = { 0 };
	int		 v;

	if ((v = schema_version(db, &e)) > SCHEMA_VERSION)
		warnx("warning: the database's schema is version %d, newer "
		    "than this dataflow's %d: upgrade dataflow on this host",
		    v, SCHEMA_VERSION);
	else if (v > 0 && v < SCHEMA_VERSION)
		warnx("warning: the database's schema is version %d, older "
		    "than this dataflow's %d: run \"dataflow init\"", v,
		    SCHEMA_VERSION);
	db_error_clear(&e);
}

char **
cmd_env_allow(const struct global_opts *g)
{
	struct properties	*props;
	char			*path, *errmsg = NULL, **allow = NULL;

	if ((path = properties_find(g->config, &errmsg)) == NULL) {
		free(errmsg);
		return NULL;
	}
	props = properties_load(path, &errmsg);
	free(path);
	if (props == NULL || settings_env_allow(props, &allow,
	    &errmsg) == -1) {
		warnx("%s (allowing no more environment names)", errmsg);
		free(errmsg);
	}
	properties_free(props);
	return allow;
}

/*
 * Global options may also follow the command ("dataflow status --json"):
 * take them out of argv so subcommands see only their own. Return the new
 * argc, or -1 on a missing --config value.
 */
static int
take_global_options(struct global_opts *g, int argc, char **argv)
{
	int	 i, n = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "--json") == 0)
			g->json = true;
		else if (strcmp(argv[i], "-q") == 0 ||
		    strcmp(argv[i], "--quiet") == 0)
			g->verbosity = 0;
		else if (strcmp(argv[i], "-v") == 0 ||
		    strcmp(argv[i], "--verbose") == 0)
			g->verbosity = 2;
		else if (strncmp(argv[i], "--passkey-file=", 15) == 0)
			g->passkey_file = argv[i] + 15;
		else if (strcmp(argv[i], "--passkey-file") == 0) {
			if (++i == argc)
				return -1;
			g->passkey_file = argv[i];
		} else if (strncmp(argv[i], "--config=", 9) == 0)
			g->config = argv[i] + 9;
		else if (strcmp(argv[i], "--config") == 0) {
			if (++i == argc)
				return -1;
			g->config = argv[i];
		} else
			argv[n++] = argv[i];
	}
	argv[n] = NULL;
	return n;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "json",	no_argument,		NULL, 'J' },
		{ "passkey-file", required_argument,	NULL, 'P' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	const struct cmd_entry	*c;
	struct global_opts	 g;
	char			*errmsg = NULL;
	int			 ch;

	/* First: no core file or same-user read of what we will hold. */
	if (harden_process(&errmsg) == -1)
		errx(EXIT_SOFTWARE, "%s", errmsg);
	memset(&g, 0, sizeof(g));
	g.verbosity = 1;
	/*
	 * Before any getopt_long can show a passkey in a message: global
	 * options may follow the command, whose own options are parsed by
	 * each subcommand, so every argument before "--" is looked at.
	 */
	if ((ch = passkey_refuse_argv(argc, argv, NULL, NULL)) != 0) {
		warnx("%s: %s", argv[ch], PASSKEY_NO_OPTION);
		return EXIT_USAGE;
	}
	while ((ch = getopt_long(argc, argv, "+c:qvh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			g.config = optarg;
			break;
		case 'J':
			g.json = true;
			break;
		case 'P':
			g.passkey_file = optarg;
			break;
		case 'q':
			g.verbosity = 0;
			break;
		case 'v':
			g.verbosity = 2;
			break;
		case 'h':
			print_help(stdout);
			return EXIT_OK;
		case 'V':
			printf("dataflow %s (schema version %d)\n",
			    PACKAGE_VERSION, SCHEMA_VERSION);
			return EXIT_OK;
		default:
			print_help(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "help") == 0) {
		if (argc == 1) {
			print_help(stdout);
			return EXIT_OK;
		}
		if (argc == 2 && (c = find_command(argv[1])) != NULL)
			return command_help(c);
		if (argc == 2)
			warnx("unknown command \"%s\"", argv[1]);
		fputs("usage: dataflow help [COMMAND]\n", stderr);
		return EXIT_USAGE;
	}
	if ((c = find_command(argv[0])) == NULL) {
		warnx("unknown command \"%s\"", argv[0]);
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (wants_help(argc, argv))
		return command_help(c);
	if ((argc = take_global_options(&g, argc, argv)) == -1) {
		warnx("--config and --passkey-file need a file");
		return EXIT_USAGE;
	}
	/* Subcommands parse their own options from 1; 0 also resets glibc's
	 * internal getopt state. */
	optind = 0;
	return c->exec(&g, argc, argv);
}
