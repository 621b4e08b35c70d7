/* exposition.c: dataflow's metric families, in the Prometheus text format,
 * from the document df_metrics (sql/observe.sql) returns. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "duration.h"
#include "exposition.h"
#include "prom.h"
#include "xmalloc.h"

/* The per-job gauges: a member of df_metrics' job object each. */
static const struct exposition_gauge {
	const char	*name;
	const char	*member;
	const char	*help;
} exposition_job_gauges[] = {
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
static const char *const exposition_statuses[] = {
	"succeeded", "failed", "timeout", "cancelled", "abandoned"
};

/* The states a worker is counted in; stopped ones are not. */
static const char *const prom_worker_states[] = { "running", "idle", "gone" };

/*
 * The worker gauges from df_metrics' "workers" array ({jobid, state,
 * count}): dataflow_workers{state} for running, idle and gone (0 when
 * none), and dataflow_job_workers{jobid,state} for each pair given.
 */
static void
exposition_workers(struct prom *p, const json_t *workers)
{
	const char	*labels[5], *state;
	const json_t	*w;
	double		 total;
	size_t		 i, k;

	prom_family(p, "dataflow_workers", PROM_GAUGE, "Registered workers "
	    "(runjob --drain/--follow) by state: running a run, idle, or "
	    "gone (their heartbeat lapsed).");
	labels[0] = "state";
	labels[2] = NULL;
	for (k = 0; k < sizeof(prom_worker_states) /
	    sizeof(prom_worker_states[0]); k++) {
		total = 0;
		json_array_foreach(workers, i, w) {
			state = json_string_value(json_object_get(w, "state"));
			if (state != NULL &&
			    strcmp(state, prom_worker_states[k]) == 0)
				total += json_number_value(json_object_get(w,
				    "count"));
		}
		labels[1] = prom_worker_states[k];
		prom_sample(p, NULL, labels, total);
	}
	prom_family(p, "dataflow_job_workers", PROM_GAUGE, "Registered "
	    "workers of the job by state (only the states it has).");
	labels[0] = "jobid";
	labels[2] = "state";
	labels[4] = NULL;
	json_array_foreach(workers, i, w) {
		labels[1] = json_string_value(json_object_get(w, "jobid"));
		labels[3] = json_string_value(json_object_get(w, "state"));
		if (labels[1] != NULL && labels[3] != NULL)
			prom_sample(p, NULL, labels, json_number_value(
			    json_object_get(w, "count")));
	}
}

/* Return the JSON number or boolean as a double into *v; false if null. */
static bool
exposition_number(json_t *o, const char *member, double *v)
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
exposition_jobs(struct prom *p, json_t *jobs, long window)
{
	static const char *const quantiles[] = { "0.5", "0.9", "0.99" };
	const struct exposition_gauge	*m;
	const char			*labels[5];
	json_t				*job, *q;
	char				*w, *help;
	double				 v;
	size_t				 i, k, n;

	n = sizeof(exposition_job_gauges) / sizeof(exposition_job_gauges[0]);
	labels[0] = "jobid";
	labels[2] = NULL;
	for (k = 0; k < n; k++) {
		m = &exposition_job_gauges[k];
		prom_family(p, m->name, PROM_GAUGE, m->help);
		json_array_foreach(jobs, i, job) {
			labels[1] = json_string_value(json_object_get(job,
			    "jobid"));
			if (exposition_number(job, m->member, &v))
				prom_sample(p, NULL, labels, v);
		}
	}

	w = duration_format(window);
	help = xasprintf("Duration of the job's successful runs (quantiles "
	    "estimated, within a bucket of a log scale) that ended in the "
	    "last %s.", w);
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
		if (exposition_number(job, "duration_sum", &v))
			prom_sample(p, "_sum", labels, v);
		if (exposition_number(job, "duration_count", &v))
			prom_sample(p, "_count", labels, v);
	}
}

static void
exposition_hosts(struct prom *p, json_t *hosts)
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
		if (exposition_number(h, "runs", &v))
			prom_sample(p, NULL, labels, v);
	}
	prom_family(p, "dataflow_host_runs_total", PROM_COUNTER,
	    "Runs that ended on the host, by final status.");
	labels[2] = "status";
	labels[4] = NULL;
	json_array_foreach(hosts, i, h) {
		labels[1] = json_string_value(json_object_get(h, "host"));
		for (k = 0; k < sizeof(exposition_statuses) /
		    sizeof(exposition_statuses[0]); k++) {
			labels[3] = exposition_statuses[k];
			if (exposition_number(h, exposition_statuses[k], &v))
				prom_sample(p, NULL, labels, v);
		}
	}
	labels[2] = NULL;
	prom_family(p, "dataflow_host_running_runs", PROM_GAUGE,
	    "Runs in progress on the host (their lease held).");
	json_array_foreach(hosts, i, h) {
		labels[1] = json_string_value(json_object_get(h, "host"));
		if (exposition_number(h, "running", &v))
			prom_sample(p, NULL, labels, v);
	}
	prom_family(p, "dataflow_host_last_seen_timestamp_seconds",
	    PROM_GAUGE, "When a run on the host last started, renewed its "
	    "lease or ended.");
	json_array_foreach(hosts, i, h) {
		labels[1] = json_string_value(json_object_get(h, "host"));
		if (exposition_number(h, "last_seen", &v))
			prom_sample(p, NULL, labels, v);
	}
}

char *
exposition_text(const char *doc, long window, char **errp)
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
	exposition_jobs(p, jobs, window);
	exposition_hosts(p, hosts);
	exposition_workers(p, json_object_get(o, "workers"));
	text = prom_finish(p, errp);
	prom_free(p);
	json_decref(o);
	return text;
}
