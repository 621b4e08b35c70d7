/* cmd_metrics.c: "dataflow metrics": every job's and host's state in the
 * Prometheus text format, on stdout or as a node_exporter textfile. */
#include <err.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dataflow.h"
#include "db.h"
#include "duration.h"
#include "exitcodes.h"
#include "prom.h"
#include "settings.h"
#include "xmalloc.h"

#define METRICS_TEXTFILE	"dataflow.prom"	/* the collector reads *.prom */
#define METRICS_WINDOW		86400		/* of the duration summary */

/* df_metrics (sql/observe.sql): one snapshot, one round trip. */
static const char metrics_sql[] =
    "SELECT df_metrics($1::double precision)::text";

/* The per-job gauges: a member of df_metrics' job object each. */
static const struct metrics_gauge {
	const char	*name;
	const char	*member;
	const char	*help;
} metrics_job_gauges[] = {
	{ "dataflow_job_paused", "paused",
	    "Whether the job is paused (1) or not (0)." },
	{ "dataflow_job_claimable_partitions", "claimable",
	    "Partitions the job can claim now (0 while it is paused)." },
	{ "dataflow_job_retrying_partitions", "retrying",
	    "Claimable partitions that failed before and will be retried." },
	{ "dataflow_job_waiting_partitions", "waiting",
	    "Partitions waiting for an input to be READY again." },
	{ "dataflow_job_running_runs", "running",
	    "Runs of the job in progress." },
	{ "dataflow_job_failed_partitions", "failed",
	    "Partitions whose attempts are exhausted: only a resubmit runs "
	    "them again." },
	{ "dataflow_job_succeeded_partitions", "succeeded",
	    "Partitions the job has succeeded on." },
	{ "dataflow_job_oldest_unprocessed_age_seconds", "oldest_age_secs",
	    "How long the job's oldest pending partition has waited "
	    "(0 when none)." },
	{ "dataflow_job_last_success_timestamp_seconds", "last_success",
	    "When the job's last successful run ended (none: never)." },
	{ "dataflow_job_last_failure_timestamp_seconds", "last_failure",
	    "When the job's last failed, timed out or abandoned run ended "
	    "(none: never)." },
};

/* The final statuses of runs, as the status label of host runs. */
static const char *const metrics_statuses[] = {
	"succeeded", "failed", "timeout", "cancelled", "abandoned"
};

/* Return the JSON number or boolean as a double into *v; false if null. */
static bool
metrics_number(json_t *o, const char *member, double *v)
{
	json_t	*x = json_object_get(o, member);

	if (json_is_boolean(x))
		*v = json_is_true(x) ? 1 : 0;
	else if (json_is_number(x))
		*v = json_number_value(x);
	else
		return false;
	return true;
}

static void
metrics_jobs(struct prom *p, json_t *jobs, long window)
{
	static const char *const quantiles[] = { "0.5", "0.9", "0.99" };
	const struct metrics_gauge	*m;
	const char			*labels[5];
	json_t				*job, *q;
	char				*w, *help;
	double				 v;
	size_t				 i, k, n;

	n = sizeof(metrics_job_gauges) / sizeof(metrics_job_gauges[0]);
	labels[0] = "jobid";
	labels[2] = NULL;
	for (k = 0; k < n; k++) {
		m = &metrics_job_gauges[k];
		prom_family(p, m->name, PROM_GAUGE, m->help);
		json_array_foreach(jobs, i, job) {
			labels[1] = json_string_value(json_object_get(job,
			    "jobid"));
			if (metrics_number(job, m->member, &v))
				prom_sample(p, NULL, labels, v);
		}
	}

	w = duration_format(window);
	help = xasprintf("Duration of the job's successful runs that ended "
	    "in the last %s.", w);
	prom_family(p, "dataflow_job_run_duration_seconds", PROM_SUMMARY,
	    help);
	free(help);
	free(w);
	labels[2] = "quantile";
	labels[4] = NULL;
	json_array_foreach(jobs, i, job) {
		labels[1] = json_string_value(json_object_get(job, "jobid"));
		q = json_object_get(job, "quantiles");
		for (k = 0; k < 3; k++) {
			labels[3] = quantiles[k];
			v = json_is_number(json_array_get(q, k)) ?
			    json_number_value(json_array_get(q, k)) : NAN;
			prom_sample(p, NULL, labels, v);
		}
	}
	labels[2] = NULL;
	json_array_foreach(jobs, i, job) {
		labels[1] = json_string_value(json_object_get(job, "jobid"));
		if (metrics_number(job, "duration_sum", &v))
			prom_sample(p, "_sum", labels, v);
		if (metrics_number(job, "duration_count", &v))
			prom_sample(p, "_count", labels, v);
	}
}

static void
metrics_hosts(struct prom *p, json_t *hosts)
{
	const char	*labels[5];
	json_t		*h;
	double		 v;
	size_t		 i, k;

	labels[0] = "host";
	labels[2] = NULL;
	prom_family(p, "dataflow_host_runs_started_total", PROM_COUNTER,
	    "Runs started on the host.");
	json_array_foreach(hosts, i, h) {
		labels[1] = json_string_value(json_object_get(h, "host"));
		if (metrics_number(h, "runs", &v))
			prom_sample(p, NULL, labels, v);
	}
	prom_family(p, "dataflow_host_runs_total", PROM_COUNTER,
	    "Runs that ended on the host, by final status.");
	labels[2] = "status";
	labels[4] = NULL;
	json_array_foreach(hosts, i, h) {
		labels[1] = json_string_value(json_object_get(h, "host"));
		for (k = 0; k < sizeof(metrics_statuses) /
		    sizeof(metrics_statuses[0]); k++) {
			labels[3] = metrics_statuses[k];
			if (metrics_number(h, metrics_statuses[k], &v))
				prom_sample(p, NULL, labels, v);
		}
	}
	labels[2] = NULL;
	prom_family(p, "dataflow_host_running_runs", PROM_GAUGE,
	    "Runs in progress on the host (their lease held).");
	json_array_foreach(hosts, i, h) {
		labels[1] = json_string_value(json_object_get(h, "host"));
		if (metrics_number(h, "running", &v))
			prom_sample(p, NULL, labels, v);
	}
	prom_family(p, "dataflow_host_last_seen_timestamp_seconds",
	    PROM_GAUGE, "When a run on the host last started, renewed its "
	    "lease or ended.");
	json_array_foreach(hosts, i, h) {
		labels[1] = json_string_value(json_object_get(h, "host"));
		if (metrics_number(h, "last_seen", &v))
			prom_sample(p, NULL, labels, v);
	}
}

/* Return the exposition of df_metrics' document (caller frees), or NULL
 * with *errp set. */
static char *
metrics_text(const char *doc, long window, char **errp)
{
	struct prom	*p;
	json_t		*o, *jobs, *hosts;
	char		*text;

	o = json_loads(doc, 0, NULL);
	jobs = json_object_get(o, "jobs");
	hosts = json_object_get(o, "hosts");
	if (!json_is_array(jobs) || !json_is_array(hosts)) {
		json_decref(o);
		*errp = xstrdup("the database returned no metrics document");
		return NULL;
	}
	p = prom_new();
	metrics_jobs(p, jobs, window);
	metrics_hosts(p, hosts);
	prom_workers(p, json_object_get(o, "workers"));
	text = prom_finish(p, errp);
	prom_free(p);
	json_decref(o);
	return text;
}

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
	struct db_result	*r = NULL;
	const char		*p[1], *dir = NULL;
	char			 wbuf[24], *text = NULL, *errmsg = NULL;
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
	snprintf(wbuf, sizeof(wbuf), "%ld", window);
	p[0] = wbuf;
	if ((r = db_query(db, metrics_sql, 1, p, &e)) == NULL) {
		status = cmd_db_fail("read the metrics", &e);
		goto out;
	}
	status = EXIT_FAIL;
	if (db_rows(r) != 1 || db_value(r, 0, 0) == NULL) {
		warnx("could not read the metrics: no result");
		goto out;
	}
	if ((text = metrics_text(db_value(r, 0, 0), window, &errmsg)) ==
	    NULL) {
		warnx("could not format the metrics: %s", errmsg);
		goto out;
	}
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
	db_result_free(r);
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_metrics_entry = {
	"metrics", "[--textfile DIR] [--window DURATION]",
	"the state of jobs and hosts for Prometheus", cmd_metrics_exec
};
