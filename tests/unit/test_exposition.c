/* test_exposition.c: unit tests for lib/exposition.c: dataflow's metric
 * families from a df_metrics document, with no server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exposition.h"

static const char doc[] =
    "{\"jobs\": [{\"jobid\": \"load\", \"paused\": true, \"claimable\": 0, "
    "\"retrying\": 1, \"waiting\": 2, \"running\": 0, \"succeeded\": 5, "
    "\"failed\": 1, \"oldest_age_secs\": 12.5, \"last_success\": "
    "1700000000.25, \"last_failure\": null, \"duration_count\": 5, "
    "\"duration_sum\": 10.5, \"quantiles\": [1, 2.5, 4]}, "
    "{\"jobid\": \"new\", \"paused\": false, \"claimable\": 1, "
    "\"retrying\": 0, \"waiting\": 0, \"running\": 0, \"succeeded\": 0, "
    "\"failed\": 0, \"oldest_age_secs\": 0, \"last_success\": null, "
    "\"last_failure\": null, \"duration_count\": 0, \"duration_sum\": 0, "
    "\"quantiles\": null}], "
    "\"hosts\": [{\"host\": \"h\\\"1\", \"runs\": 7, \"running\": 1, "
    "\"succeeded\": 5, \"failed\": 1, \"timeout\": 0, \"cancelled\": 0, "
    "\"abandoned\": 0, \"last_seen\": 1700000001}]}";

/* Whether text has line as one of its lines. */
static bool
has_line(const char *text, const char *line)
{
	const char	*p = text;
	size_t		 len = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[len] == '\n')
			return true;
		p += len;
	}
	return false;
}

static void
test_families(void **state)
{
	static const char *const want[] = {
		"# TYPE dataflow_job_paused gauge",
		"dataflow_job_paused{jobid=\"load\"} 1",
		"dataflow_job_paused{jobid=\"new\"} 0",
		"dataflow_job_retrying_partitions{jobid=\"load\"} 1",
		"dataflow_job_oldest_unprocessed_age_seconds{jobid=\"load\"} "
		    "12.5",
		"dataflow_job_last_success_timestamp_seconds{jobid=\"load\"} "
		    "1700000000.25",
		"# HELP dataflow_job_run_duration_seconds Duration of the "
		    "job's successful runs (quantiles estimated, within a "
		    "bucket of a log scale) that ended in the last 1d.",
		"# TYPE dataflow_job_run_duration_seconds summary",
		"dataflow_job_run_duration_seconds{jobid=\"load\","
		    "quantile=\"0.9\"} 2.5",
		"dataflow_job_run_duration_seconds{jobid=\"new\","
		    "quantile=\"0.5\"} NaN",
		"dataflow_job_run_duration_seconds_sum{jobid=\"load\"} 10.5",
		"dataflow_job_run_duration_seconds_count{jobid=\"load\"} 5",
		"# TYPE dataflow_host_runs_total counter",
		"dataflow_host_runs_started_total{host=\"h\\\"1\"} 7",
		"dataflow_host_runs_total{host=\"h\\\"1\",status=\"succeeded\"} "
		    "5",
		"dataflow_host_running_runs{host=\"h\\\"1\"} 1",
		"dataflow_host_last_seen_timestamp_seconds{host=\"h\\\"1\"} "
		    "1700000001",
	};
	char	*text, *err = NULL;
	size_t	 i;

	(void)state;
	text = exposition_text(doc, 86400, &err);
	assert_non_null(text);
	assert_null(err);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!has_line(text, want[i]))
			fail_msg("no line \"%s\" in:\n%s", want[i], text);
	/* A null is no sample: never a failure yet. */
	assert_null(strstr(text, "last_failure_timestamp_seconds{"));
	free(text);
}

static void
test_not_a_document(void **state)
{
	static const char *const docs[] = {
		"", "null", "[]", "{\"jobs\": []}", "{\"hosts\": []}",
		"{\"jobs\": {}, \"hosts\": []}",
	};
	char	*err;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		err = NULL;
		assert_null(exposition_text(docs[i], 60, &err));
		assert_string_equal(err,
		    "the database returned no metrics document");
		free(err);
	}
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_not_a_document),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
