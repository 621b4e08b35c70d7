/*
 * fuzz_duration.c: fuzz target for durations (lib/duration.c): lease=,
 * --timeout and a job's "timeout". What is accepted is in range and prints
 * back to the same number of seconds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*why;
	char		*s, *err = NULL, *text;
	long		 secs = -1, again = -1;

	if ((s = fuzz_cstr(data, size)) == NULL)
		return 0;
	why = duration_check(s, &secs);
	FUZZ_CHECK((duration_parse(s, &again, &err) == 0) == (why == NULL));
	if (why != NULL) {
		/* The message names the value. */
		FUZZ_CHECK(err != NULL &&
		    strncmp(err, "invalid duration \"", 18) == 0 &&
		    strstr(err, why) != NULL);
		free(err);
		free(s);
		return 0;
	}
	FUZZ_CHECK(err == NULL && again == secs);
	FUZZ_CHECK(secs >= 1 && secs <= 366L * 86400);
	text = duration_format(secs);
	FUZZ_CHECK(duration_check(text, &again) == NULL && again == secs);
	free(text);
	free(s);
	return 0;
}
