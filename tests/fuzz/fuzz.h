/*
 * fuzz.h: what the fuzz targets share: libFuzzer's entry point, a check
 * that crashes (which the fuzzer reports) when an invariant does not hold,
 * and the input as a C string.
 */
#ifndef DF_FUZZ_H
#define DF_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run the target on the size bytes at data; always returns 0. */
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort, naming the invariant, unless cond holds. */
#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/*
 * Return data as a NUL-terminated string (caller frees), or NULL when it
 * holds a NUL byte: the parsers take C strings, and their callers refuse
 * NUL bytes before parsing (properties_load, readers of argv and libpq).
 */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char	*s;

	if (memchr(data, '\0', size) != NULL)
		return NULL;
	if ((s = malloc(size + 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Return the number of times needle occurs in hay (overlaps counted). */
static inline size_t
fuzz_count(const char *hay, const char *needle)
{
	size_t	 n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

#endif
