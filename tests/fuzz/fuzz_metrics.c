/*
 * fuzz_metrics.c: fuzz target for the name=value lines a job writes to
 * $DATAFLOW_METRICS_FILE (lib/metrics.c): whatever the job writes, what
 * is stored is a JSON object of at most METRICS_MAXCOUNT valid names with
 * short values, and every skipped line is reported by number.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "diag.h"
#include "fuzz.h"
#include "metrics.h"

static const char name_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag	 w = { NULL, 0 };
	json_error_t	 e;
	const char	*name;
	json_t		*o, *v;
	char		*out;
	size_t		 i, len;

	if (size > METRICS_MAXFILE)
		return 0;
	out = metrics_parse((const char *)data, size, &w);
	for (i = 0; i < w.n; i++)
		FUZZ_CHECK(strncmp(w.msgs[i], "line ", 5) == 0);
	diag_clear(&w);
	if (out == NULL)
		return 0;
	o = json_loads(out, JSON_REJECT_DUPLICATES, &e);
	FUZZ_CHECK(o != NULL && json_is_object(o));
	FUZZ_CHECK(json_object_size(o) >= 1 &&
	    json_object_size(o) <= METRICS_MAXCOUNT);
	json_object_foreach(o, name, v) {
		len = strlen(name);
		FUZZ_CHECK(len >= 1 && len <= METRICS_MAXNAME);
		FUZZ_CHECK(strspn(name, name_chars) == len);
		FUZZ_CHECK(strchr("0123456789.:-", name[0]) == NULL);
		FUZZ_CHECK(json_is_number(v) || json_is_string(v));
		if (json_is_string(v))
			FUZZ_CHECK(json_string_length(v) <= METRICS_MAXVALUE);
	}
	json_decref(o);
	free(out);
	return 0;
}
