/* cmd_config.c: the declarative configuration: "dataflow validate", "apply"
 * and "export". */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "actor.h"
#include "catalog.h"
#include "config.h"
#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "ops.h"
#include "plan.h"
#include "settings.h"
#include "xmalloc.h"

/*
 * Load and validate a configuration file, its environment names against
 * what this host allows too, printing every problem.
 */
static struct config *
load_config(const struct global_opts *g, const char *path)
{
	struct diag	 d = { NULL, 0 };
	struct config	*c;
	char		**allow;
	size_t		 i;

	if ((c = config_load_file(path, &d)) != NULL) {
		allow = cmd_env_allow(g);
		if (config_check_env(c, strcmp(path, "-") == 0 ? "<stdin>" :
		    path, (const char *const *)allow, &d) == -1) {
			config_free(c);
			c = NULL;
		}
		xfree_strv(allow);
	}
	if (c == NULL) {
		for (i = 0; i < d.n; i++)
			fprintf(stderr, "dataflow: %s\n", d.msgs[i]);
		if (d.n == 0)
			warnx("%s: invalid configuration", path);
	}
	diag_clear(&d);
	return c;
}

static int
cmd_validate_exec(struct global_opts *g, int argc, char **argv)
{
	struct config	*c;

	if (argc != 2)
		return cmd_usage(&cmd_validate_entry);
	if ((c = load_config(g, argv[1])) == NULL)
		return EXIT_CONFIG;
	if (g->json)
		cmd_json_print(ops_config_valid_json(c));
	else if (g->verbosity > 0)
		printf("%s: valid: %zu datasets, %zu jobs\n", argv[1],
		    c->ndatasets, c->njobs);
	config_free(c);
	return EXIT_OK;
}

const struct cmd_entry cmd_validate_entry = {
	"validate", "FILE",
	"check a configuration file without touching the database",
	cmd_validate_exec
};

static void
print_plan(const struct global_opts *g, const struct plan *p, bool dry_run)
{
	size_t	 i, k, counts[5] = { 0, 0, 0, 0, 0 };
	json_t	*o;

	if (g->json) {
		o = ops_plan_json(p, dry_run);
		json_dumpf(o, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(o);
		return;
	}
	if (g->verbosity == 0)
		return;
	for (i = 0; i < p->n; i++) {
		const struct plan_change *ch = &p->changes[i];

		counts[ch->action]++;
		printf("%-7s %-7s %s\n", plan_action_name(ch->action),
		    plan_kind_name(ch->kind), ch->id);
		for (k = 0; k < ch->ndetails; k++)
			printf("          %s\n", ch->details[k]);
	}
	if (p->n == 0)
		printf("no changes\n");
	else
		printf("%s%zu added, %zu updated, %zu removed, %zu paused, "
		    "%zu resumed\n", dry_run ? "dry run: would make " : "",
		    counts[PLAN_ADD], counts[PLAN_UPDATE], counts[PLAN_REMOVE],
		    counts[PLAN_PAUSE], counts[PLAN_RESUME]);
}

/* The options of apply that print_plan needs, as catalog_update's hook. */
struct apply_print {
	const struct global_opts	*g;
	bool				 dry_run;
};

static void
apply_planned(const struct plan *plan, void *arg)
{
	const struct apply_print	*ap = arg;

	print_plan(ap->g, plan, ap->dry_run);
}

static int
cmd_apply_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_DRY_RUN = 256, OPT_PRUNE };
	static const struct option longopts[] = {
		{ "dry-run",	no_argument,	NULL, OPT_DRY_RUN },
		{ "prune",	no_argument,	NULL, OPT_PRUNE },
		{ NULL,		0,		NULL, 0 }
	};
	struct catalog_update	 u;
	struct apply_print	 ap = { g, false };
	struct config		*want = NULL;
	struct plan		*plan = NULL;
	struct settings		*s = NULL;
	struct db		*db = NULL;
	struct db_error		 e = { 0 };
	char			*actor = NULL;
	int			 ch, status;

	memset(&u, 0, sizeof(u));
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_DRY_RUN:
			ap.dry_run = true;
			break;
		case OPT_PRUNE:
			u.prune = true;
			break;
		default:
			return cmd_usage(&cmd_apply_entry);
		}
	}
	if (argc - optind != 1)
		return cmd_usage(&cmd_apply_entry);
	/* Everything is checked before the database is touched. */
	if ((want = load_config(g, argv[optind])) == NULL)
		return EXIT_CONFIG;
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		goto out;
	actor = actor_name();
	u.want = want;
	u.mode = ap.dry_run ? CATALOG_PLAN : CATALOG_COMMIT;
	u.actor = actor;
	u.planned = apply_planned;
	u.arg = &ap;
	status = EXIT_OK;
	if (catalog_update(db, &u, &plan, &e) == -1)
		status = cmd_db_fail("apply the configuration (nothing "
		    "changed)", &e);
out:
	db_error_clear(&e);
	free(actor);
	plan_free(plan);
	config_free(want);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_apply_entry = {
	"apply", "[--dry-run] [--prune] FILE",
	"make datasets and jobs match a configuration file",
	cmd_apply_exec
};

static int
cmd_export_exec(struct global_opts *g, int argc, char **argv)
{
	struct config	*c = NULL;
	struct settings	*s;
	struct db	*db;
	struct db_error	 e = { 0 };
	json_t		*doc;
	int		 status;

	(void)argv;
	if (argc != 1)
		return cmd_usage(&cmd_export_entry);
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	if (catalog_load(db, &c, &e) == -1) {
		status = cmd_db_fail("read the configuration", &e);
	} else {
		doc = config_to_json(c);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(doc);
		status = EXIT_OK;
	}
	config_free(c);
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_export_entry = {
	"export", "", "print the current configuration as JSON",
	cmd_export_exec
};
