/*
 * fuzz_body.c: fuzz target for the API's request bodies (serve/body.c):
 * the JSON of ready, resubmit, pause/resume, trigger and trigger by tags.
 * The first byte picks the endpoint (modulo 5), the rest is the body.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "config.h"
#include "fuzz.h"
#include "ids.h"
#include "ops.h"
#include "trigger.h"

/*
 * Whether the body may ask for a long range: five digits in a row, or a
 * daily range over more than a century. A million dataids per input would
 * slow the fuzzer to a crawl; the unit tests cover the limit.
 */
static bool
maybe_long(const uint8_t *data, size_t size)
{
	size_t	 i, run = 0;
	bool	 daily = memmem(data, size, "daily", 5) != NULL;

	for (i = 0; i < size; i++) {
		run = (data[i] >= '0' && data[i] <= '9') ? run + 1 : 0;
		if (run >= 5 || (daily && run == 4 && (data[i - 3] != '2' ||
		    data[i - 2] != '0')))
			return true;
	}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct body_args	 a;
	enum body_kind		 kind;
	char			*err = NULL;
	size_t			 i;

	if (size < 1 || maybe_long(data + 1, size - 1))
		return 0;
	kind = (enum body_kind)(data[0] % 5);
	if (body_parse(kind, (const char *)data + 1, size - 1, NULL, &a,
	    &err) == -1) {
		/* One line, and nothing taken. */
		FUZZ_CHECK(err != NULL && strchr(err, '\n') == NULL);
		FUZZ_CHECK(a.nids == 0 || a.ids != NULL);
		free(err);
		body_args_clear(&a);
		return 0;
	}
	FUZZ_CHECK(err == NULL);
	FUZZ_CHECK(a.nids <= BODY_MAXIDS);
	for (i = 0; i < a.nids; i++)
		FUZZ_CHECK(dataid_valid(a.ids[i]));
	FUZZ_CHECK(a.ids == NULL || a.ids[a.nids] == NULL);
	FUZZ_CHECK(a.reason == NULL || strlen(a.reason) <= OPS_REASON_MAX);
	FUZZ_CHECK(a.label == NULL || strlen(a.label) <= CONFIG_MAXVALUE);
	if (kind == BODY_READY)
		FUZZ_CHECK(a.nids > 0);
	if (kind == BODY_RESUBMIT)
		FUZZ_CHECK(a.nids > 0 || a.failed);
	if (kind == BODY_TRIGGER || kind == BODY_TRIGGER_MATCH)
		FUZZ_CHECK(a.items != NULL &&
		    trigger_items_count(a.items) >= 1);
	if (kind == BODY_TRIGGER_MATCH)
		FUZZ_CHECK(a.ntags > 0);
	for (i = 0; i < a.ntags; i++)
		FUZZ_CHECK(ident_valid(a.tags[i].key));
	body_args_clear(&a);
	return 0;
}
