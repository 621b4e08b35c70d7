/*
 * fuzz_range.c: fuzz target for dataid ranges (lib/range.c), as given to
 * dataflow ready/resubmit --from A --to B --daily|--step N. The input is
 * one byte (bit 0: daily), two bytes of step (signed, big-endian), then
 * "FROM\nTO".
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ids.h"
#include "range.h"

/* Ranges longer than this are skipped: the unit tests cover the limit,
 * and a million strings per input would slow the fuzzer to a crawl. */
#define FUZZ_RANGE_MAX	20000

/* Return the value of the n digits at s (at most 18 significant), or -1. */
static long long
number(const char *s, size_t n)
{
	long long	 v = 0;
	size_t		 i, sig = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > 0 || s[i] != '0')
			sig++;
		if (sig > 18)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * Whether the range may be longer than FUZZ_RANGE_MAX (a cheap, generous
 * guess). Longer than RANGE_MAX is refused before anything is allocated:
 * only the lengths between the two are slow.
 */
static bool
maybe_long(const char *from, const char *to, bool daily, long step)
{
	long long	 a, b;

	if (daily) {
		if (strlen(from) < 4 || strlen(to) < 4)
			return false;
		a = number(from, 4);
		b = number(to, 4);
		return a >= 0 && b >= 0 && b - a > FUZZ_RANGE_MAX / 366;
	}
	if (step < 1)
		return false;
	a = number(from, strlen(from));
	b = number(to, strlen(to));
	return a >= 0 && b >= 0 && b > a && (b - a) / step > FUZZ_RANGE_MAX;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum range_kind	 kind;
	char		**ids, *text, *to, *err = NULL;
	size_t		 n = 0, i;
	long		 step;

	if (size < 3 || (text = fuzz_cstr(data + 3, size - 3)) == NULL)
		return 0;
	kind = (data[0] & 1) ? RANGE_DAILY : RANGE_STEP;
	step = (int16_t)(uint16_t)(data[1] << 8 | data[2]);
	if ((to = strchr(text, '\n')) == NULL) {
		free(text);
		return 0;
	}
	*to++ = '\0';
	if (maybe_long(text, to, kind == RANGE_DAILY, step)) {
		free(text);
		return 0;
	}
	ids = range_expand(text, to, kind, step, &n, &err);
	if (ids == NULL) {
		FUZZ_CHECK(err != NULL && n == 0);
		free(err);
		free(text);
		return 0;
	}
	FUZZ_CHECK(err == NULL);
	FUZZ_CHECK(n >= 1 && n <= RANGE_MAX && ids[n] == NULL);
	/* The first is from itself; the last is to when it is on a step. */
	FUZZ_CHECK(strcmp(ids[0], text) == 0);
	if (kind == RANGE_DAILY)
		FUZZ_CHECK(strcmp(ids[n - 1], to) == 0);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(dataid_valid(ids[i]));
		if (kind == RANGE_DAILY)
			FUZZ_CHECK(strlen(ids[i]) == 10);
		/* Text order is the order of the range (SPEC §2). */
		if (i > 0 && strlen(text) >= strlen(to))
			FUZZ_CHECK(strcmp(ids[i - 1], ids[i]) < 0);
	}
	range_free(ids);
	free(text);
	return 0;
}
