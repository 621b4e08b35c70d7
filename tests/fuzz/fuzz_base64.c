/*
 * fuzz_base64.c: fuzz target for lib/base64.c: decoding is strict (only
 * the canonical encoding is accepted, so decoding and encoding again gives
 * the input back) and any bytes round-trip.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t	*out = NULL;
	size_t	 n = 0;
	char	*err = NULL, *enc;

	if (base64_decode((const char *)data, size, &out, &n, &err) == 0) {
		FUZZ_CHECK(err == NULL);
		FUZZ_CHECK(n <= size / 4 * 3 && out[n] == '\0');
		enc = base64_encode(out, n);
		FUZZ_CHECK(strlen(enc) == size && memcmp(enc, data, size) == 0);
		free(enc);
		free(out);
	} else {
		FUZZ_CHECK(out == NULL);
		FUZZ_CHECK(err != NULL &&
		    strncmp(err, "invalid base64: ", 16) == 0);
		free(err);
	}

	enc = base64_encode(data, size);
	FUZZ_CHECK(strlen(enc) == base64_encoded_len(size));
	FUZZ_CHECK(base64_decode(enc, strlen(enc), &out, &n, &err) == 0);
	FUZZ_CHECK(n == size && (size == 0 || memcmp(out, data, size) == 0));
	free(out);
	free(enc);
	return 0;
}
