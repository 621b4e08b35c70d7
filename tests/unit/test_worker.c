/* test_worker.c: unit tests for the pure part of lib/worker.c: which
 * notifications concern a job. The registry and the wait are tested
 * against PostgreSQL (tests/integration/workers.test, trigger.test). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "worker.h"

static void
test_payload(void **state)
{
	(void)state;
	/* <schema>.work carries a job id. */
	assert_true(worker_payload_matches("load", "load"));
	assert_false(worker_payload_matches("load2", "load"));
	assert_false(worker_payload_matches("loa", "load"));
	assert_false(worker_payload_matches("", "load"));
	assert_false(worker_payload_matches(NULL, "load"));
	/* <schema>.run carries "run_id status jobid". */
	assert_true(worker_payload_matches("12 SUCCEEDED load", "load"));
	assert_false(worker_payload_matches("12 SUCCEEDED load2", "load"));
	assert_false(worker_payload_matches("12 load SUCCEEDED", "load"));
}

static void
test_wait_free(void **state)
{
	struct worker_wait	*w;

	(void)state;
	w = worker_wait_new("work", "load");
	assert_non_null(w);
	worker_wait_free(w);
	worker_wait_free(NULL);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_payload),
		cmocka_unit_test(test_wait_free),
	};

	return cmocka_run_group_tests_name("worker", tests, NULL, NULL);
}
