/* cmd_trigger.c: "dataflow trigger": make new partitions of a job whose
 * inputs include "trigger", each with its own parameters, and optionally
 * wait for their runs (lib/trigger.c does the work). */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "actor.h"
#include "config.h"
#include "dataflow.h"
#include "db.h"
#include "duration.h"
#include "exitcodes.h"
#include "ids.h"
#include "settings.h"
#include "trigger.h"
#include "xmalloc.h"

#define TRIGGER_FILE_MAX	(64L * 1024 * 1024)	/* --params-file */
#define TRIGGER_RECHECK_MS	5000	/* --wait re-checks the runs */

struct trigger_opts {
	const char	*jobid;
	const char	*dataid;
	const char	*params_file;
	const char	*label;
	struct cfg_kv	*tags;		/* --match, in order */
	size_t		 ntags;
	char		**params;	/* --param, in order */
	size_t		 nparams;
	bool		 wait;
	long		 timeout_secs;	/* -1: none */
};

/* Read path ("-": standard input) whole into *text; 0, or -1 said. */
static int
trigger_read_file(const char *path, char **text, size_t *len)
{
	FILE	*fp = stdin;
	size_t	 cap = 0, n;
	char	*buf = NULL;

	*len = 0;
	if (strcmp(path, "-") != 0 && (fp = fopen(path, "r")) == NULL) {
		warnx("could not open \"%s\": %s", path, strerror(errno));
		return -1;
	}
	do {
		if (cap - *len < 65536) {
			cap = cap * 2 + 65536;
			buf = xreallocarray(buf, cap, 1);
		}
		n = fread(buf + *len, 1, cap - *len, fp);
		*len += n;
	} while (n > 0 && *len <= (size_t)TRIGGER_FILE_MAX);
	if (ferror(fp) || *len > (size_t)TRIGGER_FILE_MAX) {
		if (ferror(fp))
			warnx("could not read \"%s\": %s", path,
			    strerror(errno));
		else
			warnx("%s: larger than %ld bytes", path,
			    TRIGGER_FILE_MAX);
		if (fp != stdin)
			fclose(fp);
		free(buf);
		return -1;
	}
	if (fp != stdin)
		fclose(fp);
	*text = buf;
	return 0;
}

/* Build the items from the options; NULL after saying why (usage). */
static struct trigger_items *
trigger_build(const struct global_opts *g, const struct trigger_opts *o)
{
	struct trigger_items	*ti = trigger_items_new();
	char			**allow, *errmsg = NULL, *text = NULL;
	size_t			 i, len;
	int			 rc = 0;

	allow = cmd_env_allow(g);
	if (o->params_file != NULL) {
		if ((rc = trigger_read_file(o->params_file, &text,
		    &len)) == 0 && (rc = trigger_items_load(ti, text, len,
		    (const char *const *)allow, &errmsg)) == -1) {
			warnx("%s: %s", o->params_file, errmsg);
			free(errmsg);
			errmsg = NULL;
		}
		free(text);
	}
	for (i = 0; rc == 0 && i < o->nparams; i++)
		rc = trigger_items_param(ti, o->params[i],
		    (const char *const *)allow, &errmsg);
	if (rc == 0 && o->dataid != NULL)
		rc = trigger_items_dataid(ti, o->dataid, &errmsg);
	if (errmsg != NULL)
		warnx("%s", errmsg);
	free(errmsg);
	xfree_strv(allow);
	if (rc == -1) {
		trigger_items_free(ti);
		return NULL;
	}
	return ti;
}

static void
trigger_print(const struct global_opts *g, const struct trigger_result *res)
{
	const struct trigger_part	*p;
	size_t				 i;

	if (g->json) {
		cmd_json_print(trigger_result_json(res));
		return;
	}
	for (i = 0; i < res->nparts && g->verbosity > 0; i++) {
		p = &res->parts[i];
		printf("%s %s: %s (%s)%s%s\n", p->jobid, p->dataid,
		    p->created ? "triggered" : "exists already, nothing "
		    "created", p->state, p->label != NULL ? " label " : "",
		    p->label != NULL ? p->label : "");
	}
}

/* Say why df_trigger refused; return the exit status. */
static int
trigger_fail(const struct trigger_opts *o, const struct db_error *e)
{
	if (strcmp(e->sqlstate, "DF005") == 0) {
		warnx("--match: %s", e->message);
		return EXIT_CONFIG;
	}
	if (strcmp(e->sqlstate, "DF006") == 0) {
		warnx("--match: %s", e->message);
		fprintf(stderr, "hint: give more tags, or the job\n");
		return EXIT_USAGE;
	}
	if (strcmp(e->sqlstate, "DF003") == 0) {
		warnx("%s", e->message);
		fprintf(stderr, "hint: a job is triggered when \"trigger\" "
		    "is one of its inputs: add it in the configuration and "
		    "\"dataflow apply\"; \"dataflow explain %s\" shows its "
		    "inputs\n", o->jobid != NULL ? o->jobid : "JOB");
		return EXIT_USAGE;
	}
	if (strcmp(e->sqlstate, "22023") == 0) {
		warnx("%s", e->message);
		return EXIT_USAGE;
	}
	return cmd_db_fail("trigger", e);
}

static int
trigger_run(const struct global_opts *g, const struct trigger_opts *o,
    struct trigger_items *ti)
{
	struct trigger_target	 t = { o->jobid, o->tags, o->ntags };
	struct trigger_result	 res = { NULL, 0 };
	struct settings		*s = NULL;
	struct db		*db;
	struct db_error		 e = { 0 };
	char			*who;
	int			 status, n;

	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	who = actor_name();
	if (trigger_make(db, &t, ti, o->label, who, &res, &e) == -1) {
		status = trigger_fail(o, &e);
		goto out;
	}
	trigger_print(g, &res);
	status = EXIT_OK;
	if (!o->wait)
		goto out;
	n = trigger_wait(db, &res, o->timeout_secs < 0 ? -1 :
	    o->timeout_secs * 1000, TRIGGER_RECHECK_MS, &status, &e);
	if (n == -1)
		status = cmd_db_fail("wait for the runs", &e);
	else if (n == 0) {
		warnx("--timeout: the runs did not all end in time");
		status = EXIT_TIMEOUT;
	}
out:
	free(who);
	trigger_result_clear(&res);
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}

static void
trigger_opts_clear(struct trigger_opts *o)
{
	config_kv_free(o->tags, o->ntags);
	free(o->params);
}

static int
cmd_trigger_exec(struct global_opts *g, int argc, char **argv)
{
	enum {
		OPT_DATAID = 256, OPT_PARAM, OPT_PARAMS_FILE, OPT_LABEL,
		OPT_WAIT, OPT_TIMEOUT, OPT_MATCH
	};
	static const struct option longopts[] = {
		{ "dataid",	required_argument,	NULL, OPT_DATAID },
		{ "param",	required_argument,	NULL, OPT_PARAM },
		{ "params-file", required_argument,	NULL, OPT_PARAMS_FILE },
		{ "label",	required_argument,	NULL, OPT_LABEL },
		{ "wait",	no_argument,		NULL, OPT_WAIT },
		{ "timeout",	required_argument,	NULL, OPT_TIMEOUT },
		{ "match",	required_argument,	NULL, OPT_MATCH },
		{ NULL,		0,			NULL, 0 }
	};
	struct trigger_opts	 o;
	struct trigger_items	*ti;
	char			*errmsg = NULL;
	int			 ch, status;

	memset(&o, 0, sizeof(o));
	o.timeout_secs = -1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_DATAID:
			o.dataid = optarg;
			break;
		case OPT_PARAM:
			o.params = xreallocarray(o.params, o.nparams + 1,
			    sizeof(*o.params));
			o.params[o.nparams++] = optarg;
			break;
		case OPT_PARAMS_FILE:
			o.params_file = optarg;
			break;
		case OPT_LABEL:
			o.label = optarg;
			if (strlen(optarg) <= CONFIG_MAXVALUE)
				break;
			warnx("--label longer than %d bytes",
			    CONFIG_MAXVALUE);
			goto usage;
		case OPT_WAIT:
			o.wait = true;
			break;
		case OPT_MATCH:
			if (cmd_tag_add(&o.tags, &o.ntags, optarg) == 0)
				break;
			goto usage;
		case OPT_TIMEOUT:
			if (duration_parse(optarg, &o.timeout_secs,
			    &errmsg) == 0)
				break;
			warnx("--timeout: %s", errmsg);
			free(errmsg);
			goto usage;
		default:
			goto usage;
		}
	}
	if (argc - optind != (o.ntags > 0 ? 0 : 1) ||
	    (o.timeout_secs >= 0 && !o.wait)) {
		if (o.timeout_secs >= 0 && !o.wait)
			warnx("--timeout goes with --wait");
		else if (o.ntags > 0)
			warnx("give a job or --match, not both");
		goto usage;
	}
	o.jobid = o.ntags > 0 ? NULL : argv[optind];
	if (o.jobid != NULL && !ident_valid(o.jobid)) {
		warnx("\"%s\" is not a valid job id", o.jobid);
		goto usage;
	}
	if ((ti = trigger_build(g, &o)) == NULL) {
		trigger_opts_clear(&o);
		return EXIT_USAGE;
	}
	status = trigger_run(g, &o, ti);
	trigger_items_free(ti);
	trigger_opts_clear(&o);
	return status;
usage:
	trigger_opts_clear(&o);
	return cmd_usage(&cmd_trigger_entry);
}

const struct cmd_entry cmd_trigger_entry = {
	"trigger", "JOB | --match TAG=VALUE... [--dataid ID] "
	"[--param NAME=VALUE]... "
	"[--params-file FILE] [--label TEXT] [--wait [--timeout DURATION]]",
	"make new partitions of a triggered job, with parameters",
	cmd_trigger_exec
};
