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
#include "settings.h"
#include "strbuf.h"
#include "table.h"

/* Entries listed when --limit is not given. */
#define AUDIT_LIMIT	50

/*
 * An apply names the objects it changed only in its detail. Its secrets
 * are masked when written; df_masked_plan masks rows written before.
 */
static const char audit_sql[] =
    "SELECT a.audit_id, to_json(a.at) #>> '{}' AS at, "
    "extract(epoch FROM a.at)::bigint AS at_epoch, a.who, a.host, "
    "a.action, a.jobid, a.datasetid, a.dataid, CASE WHEN a.action = "
    "'apply' THEN df_masked_plan(a.detail) ELSE a.detail END::text "
    "AS detail, "
    "a.reason FROM audit a "
    "WHERE ($1::text IS NULL OR a.jobid = $1 OR (a.action = 'apply' "
    "AND a.detail @> jsonb_build_array(jsonb_build_object('kind', 'job', "
    "'id', $1::text)))) "
    "AND ($2::text IS NULL OR a.datasetid = $2 OR (a.action = 'apply' "
    "AND a.detail @> jsonb_build_array(jsonb_build_object('kind', "
    "'dataset', 'id', $2::text)))) "
    "AND ($3::text IS NULL OR a.dataid = $3) "
    "AND ($4::text IS NULL OR a.action = $4) "
    "ORDER BY a.audit_id DESC LIMIT $5::bigint";

/* Jobs and datasets that ever existed: their trail outlives them. */
static const char job_known_sql[] = "SELECT 1 FROM job WHERE jobid = $1";
static const char dataset_known_sql[] =
    "SELECT 1 FROM dataset WHERE datasetid = $1";

static const char *
col(const struct db_result *r, int i, const char *name)
{
	return db_value(r, i, db_colnum(r, name));
}

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
		strbuf_addf(&sb, "%s -> %s", s != NULL ? s : "(none)",
		    jstr(d, "to"));
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
		table_add(t, col(r, i, "audit_id"));
		table_add(t, cmd_time(col(r, i, "at_epoch"), buf,
		    sizeof(buf)));
		table_add(t, col(r, i, "who"));
		table_add(t, col(r, i, "action"));
		if ((v = col(r, i, "jobid")) != NULL)
			table_addf(t, "job %s", v);
		else if ((v = col(r, i, "datasetid")) != NULL)
			table_addf(t, "dataset %s", v);
		else
			table_add(t, NULL);
		table_add(t, col(r, i, "dataid"));
		what = audit_what(col(r, i, "action"), col(r, i, "detail"));
		table_add(t, what);
		free(what);
		table_add(t, col(r, i, "reason"));
	}
	cmd_table_print(t);
}

static json_t *
audit_json(const struct db_result *r)
{
	json_t	*a = json_array(), *o;
	int	 i;

	for (i = 0; i < db_rows(r); i++) {
		o = json_object();
		json_object_set_new(o, "audit_id", cmd_json_int(col(r, i,
		    "audit_id")));
		json_object_set_new(o, "at", cmd_json_str(col(r, i, "at")));
		json_object_set_new(o, "who", cmd_json_str(col(r, i, "who")));
		json_object_set_new(o, "host", cmd_json_str(col(r, i,
		    "host")));
		json_object_set_new(o, "action", cmd_json_str(col(r, i,
		    "action")));
		json_object_set_new(o, "jobid", cmd_json_str(col(r, i,
		    "jobid")));
		json_object_set_new(o, "datasetid", cmd_json_str(col(r, i,
		    "datasetid")));
		json_object_set_new(o, "dataid", cmd_json_str(col(r, i,
		    "dataid")));
		json_object_set_new(o, "reason", cmd_json_str(col(r, i,
		    "reason")));
		json_object_set_new(o, "detail", cmd_json_parse(col(r, i,
		    "detail")));
		json_array_append_new(a, o);
	}
	return json_pack("{s:o}", "entries", a);
}

/* Return 1 if the query with id finds a row, 0 if not, -1 on error. */
static int
audit_known(struct db *db, const char *sql, const char *id,
    struct db_error *e)
{
	struct db_result	*r;
	const char		*p[1] = { id };
	int			 found;

	if ((r = db_query(db, sql, 1, p, e)) == NULL)
		return -1;
	found = db_rows(r) > 0;
	db_result_free(r);
	return found;
}

static int
cmd_audit_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_JOB = 256, OPT_DATASET, OPT_DATAID, OPT_ACTION,
	    OPT_LIMIT };
	static const struct option longopts[] = {
		{ "job",	required_argument,	NULL, OPT_JOB },
		{ "dataset",	required_argument,	NULL, OPT_DATASET },
		{ "dataid",	required_argument,	NULL, OPT_DATAID },
		{ "action",	required_argument,	NULL, OPT_ACTION },
		{ "limit",	required_argument,	NULL, OPT_LIMIT },
		{ NULL,		0,			NULL, 0 }
	};
	struct settings		*s = NULL;
	struct db		*db = NULL;
	struct db_error		 e = { 0 };
	struct db_result	*r = NULL;
	const char		*p[5], *jobid = NULL, *dataset = NULL;
	const char		*dataid = NULL, *action = NULL;
	char			 limbuf[24];
	long			 limit = AUDIT_LIMIT;
	int			 ch, k, status;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_JOB:
			jobid = optarg;
			break;
		case OPT_DATASET:
			dataset = optarg;
			break;
		case OPT_DATAID:
			dataid = optarg;
			break;
		case OPT_ACTION:
			action = optarg;
			break;
		case OPT_LIMIT:
			if (cmd_parse_limit(optarg, &limit) == -1)
				return cmd_usage(&cmd_audit_entry);
			break;
		default:
			return cmd_usage(&cmd_audit_entry);
		}
	}
	if (optind != argc)
		return cmd_usage(&cmd_audit_entry);
	if ((jobid != NULL && !ident_valid(jobid)) ||
	    (dataset != NULL && !ident_valid(dataset))) {
		warnx("\"%s\" is not a valid id", jobid != NULL &&
		    !ident_valid(jobid) ? jobid : dataset);
		return EXIT_USAGE;
	}
	if (dataid != NULL && !dataid_valid(dataid)) {
		warnx("\"%s\" is not a valid dataid", dataid);
		return EXIT_USAGE;
	}
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	if (jobid != NULL) {
		if ((k = audit_known(db, job_known_sql, jobid, &e)) == -1)
			goto dberr;
		if (k == 0) {
			warnx("unknown job \"%s\"", jobid);
			status = EXIT_CONFIG;
			goto out;
		}
	}
	if (dataset != NULL) {
		if ((k = audit_known(db, dataset_known_sql, dataset,
		    &e)) == -1)
			goto dberr;
		if (k == 0) {
			warnx("unknown dataset \"%s\"", dataset);
			status = EXIT_CONFIG;
			goto out;
		}
	}
	snprintf(limbuf, sizeof(limbuf), "%ld", limit);
	p[0] = jobid;
	p[1] = dataset;
	p[2] = dataid;
	p[3] = action;
	p[4] = limit > 0 ? limbuf : NULL;
	if ((r = db_query(db, audit_sql, 5, p, &e)) == NULL)
		goto dberr;
	status = EXIT_OK;
	cmd_print_rows(g, r, audit_json, audit_table, "no audit entries");
	goto out;
dberr:
	status = cmd_db_fail("read the audit trail", &e);
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
