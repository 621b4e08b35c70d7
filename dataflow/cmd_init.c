/* cmd_init.c: "dataflow init": create or upgrade the schema, its roles and
 * their rights. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "schema.h"
#include "settings.h"
#include "xmalloc.h"

/*
 * Add the grants of one --grant KIND=ROLE[,ROLE...] to *gv (n of them, the
 * names pointing into arg, which is changed). Return 0, or print why and
 * return -1.
 */
static int
init_grant_option(char *arg, struct schema_grant **gv, size_t *n)
{
	enum schema_role	 role;
	char			*eq, *member, *next;

	if ((eq = strchr(arg, '=')) == NULL) {
		warnx("--grant takes runner=ROLE[,ROLE...], "
		    "operator=ROLE[,ROLE...] or server=ROLE[,ROLE...]");
		return -1;
	}
	*eq = '\0';
	if (schema_role_parse(arg, &role) == -1) {
		warnx("\"%s\" is not a role of dataflow's: runner, operator "
		    "or server", arg);
		return -1;
	}
	for (next = eq + 1; next != NULL; ) {
		member = next;
		if ((next = strchr(member, ',')) != NULL)
			*next++ = '\0';
		if (*member == '\0') {
			warnx("--grant %s= names an empty role", arg);
			return -1;
		}
		*gv = xreallocarray(*gv, *n + 1, sizeof(**gv));
		(*gv)[*n].role = role;
		(*gv)[*n].member = member;
		(*n)++;
	}
	return 0;
}

/* Say which group roles are missing and the SQL a DBA runs to make them. */
static void
init_roles_missing(const struct settings *s, const struct schema_init *si)
{
	char	*name;
	int	 k;

	warnx("the user may not create roles (CREATEROLE): schema \"%s\" "
	    "works for its owner only until a database administrator runs "
	    "this SQL, then \"dataflow init\" again:", s->schema);
	for (k = 0; k < SCHEMA_NROLES; k++) {
		if ((si->missing & (1U << k)) == 0 || (name =
		    schema_role_name(s->schema, (enum schema_role)k)) == NULL)
			continue;
		fprintf(stderr, "    CREATE ROLE \"%s\" NOLOGIN;\n"
		    "    GRANT \"%s\" TO \"%s\" WITH ADMIN OPTION;\n",
		    name, name, si->owner != NULL ? si->owner : "OWNER");
		free(name);
	}
}

/* Print what init did as JSON: {"schema", "from", "to", "action",
 * "granted": [...], "forced"}. */
static void
init_json(const char *schema, const struct schema_init *si)
{
	json_t	*granted;
	char	*name;
	size_t	 k;

	granted = json_array();
	for (k = 0; k < si->ngrants; k++) {
		name = schema_role_name(schema, si->grants[k].role);
		json_array_append_new(granted, json_pack("{s:s?, s:s}",
		    "role", name, "member", si->grants[k].member));
		free(name);
	}
	cmd_json_print(json_pack("{s:s, s:i, s:i, s:s, s:o, s:b}", "schema",
	    schema, "from", si->from, "to", si->to, "action", si->from == 0 ?
	    "created" : si->from != si->to ? "upgraded" : "up to date",
	    "granted", granted, "forced", si->busy_runs > 0 ||
	    si->busy_workers > 0));
}

static int
cmd_init_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_FORCE = 256 };
	static const struct option longopts[] = {
		{ "grant",	required_argument,	NULL, 'g' },
		{ "force",	no_argument,		NULL, OPT_FORCE },
		{ NULL,		0,			NULL, 0 }
	};
	struct schema_init	 si = { 0 };
	struct schema_grant	*grants = NULL;
	struct settings		*s = NULL;
	struct db		*db = NULL;
	struct db_error		 e = { 0 };
	char			*name;
	int			 ch, k, rc, status = EXIT_USAGE;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == OPT_FORCE)
			si.force = true;
		else if (ch != 'g' ||
		    init_grant_option(optarg, &grants, &si.ngrants) == -1) {
			free(grants);
			return cmd_usage(&cmd_init_entry);
		}
	}
	if (argc != optind) {
		free(grants);
		return cmd_usage(&cmd_init_entry);
	}
	si.grants = grants;
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		goto out;
	for (k = 0; k < SCHEMA_NROLES; k++) {
		if ((name = schema_role_name(s->schema,
		    (enum schema_role)k)) == NULL) {
			warnx("schema \"%s\": its role names would be longer "
			    "than 63 bytes; no roles are made", s->schema);
			break;
		}
		free(name);
	}
	if ((si.from = schema_version(db, &e)) > SCHEMA_VERSION) {
		warnx("schema \"%s\" is at version %d, newer than this "
		    "dataflow (%d): upgrade dataflow", s->schema, si.from,
		    SCHEMA_VERSION);
		status = EXIT_CONFIG;
		goto out;
	}
	rc = si.from < 0 ? -1 : schema_upgrade(db, s->schema, &si, &e);
	if (rc == -1 && strcmp(e.sqlstate, SCHEMA_BUSY_STATE) == 0) {
		warnx("will not upgrade schema \"%s\" from version %d to %d "
		    "while %s: stop them (or let the runs end) and run "
		    "\"dataflow init\" again, or give --force", s->schema,
		    si.from, SCHEMA_VERSION, e.message);
		status = EXIT_TEMPFAIL;
		goto out;
	}
	if (rc == -1) {
		warnx("could not initialise schema \"%s\": %s", s->schema,
		    e.message);
		if (si.missing != 0)
			init_roles_missing(s, &si);
		status = db_error_exit(&e);
		if (status != EXIT_TEMPFAIL)
			status = EXIT_FAIL;
		goto out;
	}
	status = EXIT_OK;
	if (si.busy_runs > 0 || si.busy_workers > 0)
		warnx("--force: upgraded while %lld runs were RUNNING and "
		    "%lld workers live that expect version %d: they fail at "
		    "their next claim or finish", si.busy_runs,
		    si.busy_workers, si.from);
	if (si.missing != 0)
		init_roles_missing(s, &si);
	if (g->json) {
		init_json(s->schema, &si);
		goto out;
	}
	if (g->verbosity > 0) {
		if (si.from == 0)
			printf("schema \"%s\" created at version %d\n",
			    s->schema, si.to);
		else if (si.from != si.to)
			printf("schema \"%s\" upgraded from version %d to "
			    "%d\n", s->schema, si.from, si.to);
		else
			printf("schema \"%s\" is up to date (version %d)\n",
			    s->schema, si.to);
	}
	for (k = 0; grants != NULL && g->verbosity > 0 &&
	    k < (int)si.ngrants; k++) {
		name = schema_role_name(s->schema, grants[k].role);
		printf("granted %s to %s\n", name, grants[k].member);
		free(name);
	}
out:
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	free(grants);
	free(si.owner);
	return status;
}

const struct cmd_entry cmd_init_entry = {
	"init", "[--force] [--grant runner=ROLE[,ROLE...]] "
	"[--grant operator=ROLE[,ROLE...]]",
	"create or upgrade the dataflow schema and its roles", cmd_init_exec
};
