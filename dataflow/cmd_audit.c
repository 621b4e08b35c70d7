/* cmd_audit.c: "dataflow audit": the trail of manual changes (apply, ready,
 * resubmit, pause, resume, rekey): who, when, what and why. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "ids.h"
#include "listing.h"
#include "settings.h"
#include "strbuf.h"
#include "table.h"

/* Entries listed when --limit is not given. */
#define AUDIT_LIMIT	50

/* Verb of a plan action for a sentence: "added", "updated"... */
static const char *
audit_verb(const char *action)
{
	static const char *const verbs[][2] = {
		{ "add", "added" }, { "update", "updated" },
		{ "remove", "removed" }, { "pause", "paused" },
		{ "resume", "resumed" }
	};
	size_t	 i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(action, verbs[i][0]) == 0)
			return verbs[i][1];
	}
	return action;
}

/* The string member key of o, or "?". */
static const char *
jstr(json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "?";
}

/* Append the states of an object {state: count}, "ready 3, waiting 1". */
static void
audit_states(struct strbuf *sb, json_t *o)
{
	const char	*k;
	json_t		*v;
	int		 i = 0;

	json_object_foreach(o, k, v) {
		strbuf_addf(sb, "%s%s %lld", i++ > 0 ? ", " : "", k,
		    (long long)json_integer_value(v));
	}
}

/* Append what the summary of a large resubmit (df_resubmit: one row per
 * job) changed: "1000 partitions (a .. b): succeeded 1000 -> ready 1000". */
static void
audit_resubmits(struct strbuf *sb, json_t *d)
{
	strbuf_addf(sb, "%lld partitions (%s .. %s): ",
	    (long long)json_integer_value(json_object_get(d, "count")),
	    jstr(d, "first"), jstr(d, "last"));
	audit_states(sb, json_object_get(d, "from"));
	strbuf_add(sb, " -> ");
	audit_states(sb, json_object_get(d, "to"));
}

/* What an entry changed, in a few words, from its detail; caller frees. */
static char *
audit_what(const char *action, const char *detail)
{
	struct strbuf	 sb = STRBUF_INIT;
	json_t		*d = cmd_json_parse(detail), *v;
	const char	*s;
	size_t		 i;

	if (strcmp(action, "apply") == 0 && json_is_array(d)) {
		json_array_foreach(d, i, v) {
			if (i == 3) {
				strbuf_addf(&sb, ", %zu more",
				    json_array_size(d) - 3);
				break;
			}
			strbuf_addf(&sb, "%s%s %s %s", i > 0 ? ", " : "",
			    audit_verb(jstr(v, "action")), jstr(v, "kind"),
			    jstr(v, "id"));
		}
	} else if (strcmp(action, "ready") == 0 && json_is_object(d)) {
		strbuf_addf(&sb, "%lld marked READY",
		    (long long)json_integer_value(json_object_get(d,
		    "changed")));
		if (json_integer_value(json_object_get(d, "requested")) > 1)
			strbuf_addf(&sb, " of %lld (%s .. %s)",
			    (long long)json_integer_value(json_object_get(d,
			    "requested")), jstr(d, "first"), jstr(d, "last"));
	} else if (strcmp(action, "resubmit") == 0 && json_is_object(d)) {
		s = json_string_value(json_object_get(d, "from"));
		if (json_is_object(json_object_get(d, "from")))
			audit_resubmits(&sb, d);
		else
			strbuf_addf(&sb, "%s -> %s", s != NULL ? s :
			    "(none)", jstr(d, "to"));
		if (json_integer_value(json_object_get(d, "depth")) > 0)
			strbuf_addf(&sb, ", downstream of %s",
			    jstr(d, "requested"));
	} else if (d != NULL && !json_is_null(d)) {
		char	*text;

		text = json_dumps(d, JSON_COMPACT | JSON_ENCODE_ANY);

		if (text != NULL)
			strbuf_add(&sb, text);
		free(text);
	}
	json_decref(d);
	return sb.len > 0 ? strbuf_detach(&sb) : NULL;
}

static void
audit_table(const struct db_result *r)
{
	static const char *const headers[] = {
		"ID", "AT", "WHO", "ACTION", "OBJECT", "DATAID", "WHAT",
		"REASON"
	};
	struct table	*t;
	const char	*v;
	char		 buf[32], *what;
	int		 i;

	t = table_new(sizeof(headers) / sizeof(headers[0]), headers);
	table_align(t, 0, TABLE_RIGHT);
	for (i = 0; i < db_rows(r); i++) {
		table_add(t, db_col(r, i, "audit_id"));
		table_add(t, cmd_time(db_col(r, i, "at_epoch"), buf,
		    sizeof(buf)));
		table_add(t, db_col(r, i, "who"));
		table_add(t, db_col(r, i, "action"));
		if ((v = db_col(r, i, "jobid")) != NULL)
			table_addf(t, "job %s", v);
		else if ((v = db_col(r, i, "datasetid")) != NULL)
			table_addf(t, "dataset %s", v);
		else
			table_add(t, NULL);
		table_add(t, db_col(r, i, "dataid"));
		what = audit_what(db_col(r, i, "action"), db_col(r, i,
		    "detail"));
		table_add(t, what);
		free(what);
		table_add(t, db_col(r, i, "reason"));
	}
	cmd_table_print(t);
}

static int
cmd_audit_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_JOB = 256, OPT_DATASET, OPT_DATAID, OPT_ACTION,
	    OPT_LIMIT, OPT_AFTER };
	static const struct option longopts[] = {
		{ "job",	required_argument,	NULL, OPT_JOB },
		{ "dataset",	required_argument,	NULL, OPT_DATASET },
		{ "dataid",	required_argument,	NULL, OPT_DATAID },
		{ "action",	required_argument,	NULL, OPT_ACTION },
		{ "limit",	required_argument,	NULL, OPT_LIMIT },
		{ "after",	required_argument,	NULL, OPT_AFTER },
		{ NULL,		0,			NULL, 0 }
	};
	struct settings		*s = NULL;
	struct db		*db = NULL;
	struct db_error		 e = { 0 };
	struct db_result	*r = NULL;
	struct listing_audit	 f = { .limit = AUDIT_LIMIT };
	char			*json;
	int			 ch, status;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_JOB:
			f.jobid = optarg;
			break;
		case OPT_DATASET:
			f.datasetid = optarg;
			break;
		case OPT_DATAID:
			f.dataid = optarg;
			break;
		case OPT_ACTION:
			f.action = optarg;
			break;
		case OPT_LIMIT:
			if (cmd_parse_limit(optarg, &f.limit) == -1)
				return cmd_usage(&cmd_audit_entry);
			/* A page: "next" names the one after it. */
			f.page = true;
			break;
		case OPT_AFTER:
			f.cursor = optarg;
			f.page = true;
			break;
		default:
			return cmd_usage(&cmd_audit_entry);
		}
	}
	if (optind != argc)
		return cmd_usage(&cmd_audit_entry);
	if ((f.jobid != NULL && !ident_valid(f.jobid)) ||
	    (f.datasetid != NULL && !ident_valid(f.datasetid))) {
		warnx("\"%s\" is not a valid id", f.jobid != NULL &&
		    !ident_valid(f.jobid) ? f.jobid : f.datasetid);
		return EXIT_USAGE;
	}
	if (f.dataid != NULL && !dataid_valid(f.dataid)) {
		warnx("\"%s\" is not a valid dataid", f.dataid);
		return EXIT_USAGE;
	}
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	if (g->json) {
		status = listing_audit_json(db, &f, &json, &e);
		status = cmd_print_json("read the audit trail", status, json,
		    &e);
		goto out;
	}
	if (listing_audit(db, &f, &r, &e) == -1) {
		status = cmd_db_fail("read the audit trail", &e);
		goto out;
	}
	status = EXIT_OK;
	cmd_print_rows(r, audit_table, "no audit entries");
out:
	db_result_free(r);
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_audit_entry = {
	"audit", "[--job JOB] [--dataset DATASET] [--dataid DATAID] "
	"[--action ACTION] [--limit N]",
	"print the trail of manual changes, newest first", cmd_audit_exec
};
