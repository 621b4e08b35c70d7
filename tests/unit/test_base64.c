/* test_base64.c: unit tests for lib/base64.c (RFC 4648 vectors, strictness). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base64.h"

struct known {
	const char	*plain;
	size_t		 len;
	const char	*encoded;
};
#define KNOWN(plain, encoded)	{ plain, sizeof(plain) - 1, encoded }

struct bad {
	const char	*input;
	const char	*message;	/* how the error starts */
};

/* RFC 4648 section 10, and a few with every alphabet position. */
static const struct known known[] = {
	KNOWN("", ""),
	KNOWN("f", "Zg=="),
	KNOWN("fo", "Zm8="),
	KNOWN("foo", "Zm9v"),
	KNOWN("foob", "Zm9vYg=="),
	KNOWN("fooba", "Zm9vYmE="),
	KNOWN("foobar", "Zm9vYmFy"),
	KNOWN("\xfb\xff", "+/8="),
	KNOWN("\x00\x10\x83\x10\x51\x87\x20\x92\x8b\x30\xd3\x8f\x41\x14\x93\x51"
	  "\x55\x97\x61\x96\x9b\x71\xd7\x9f\x82\x18\xa3\x92\x59\xa7\xa2\x9a"
	  "\xab\xb2\xdb\xaf\xc3\x1c\xb3\xd3\x5d\xb7\xe3\x9e\xbb\xf3\xdf\xbf",
	  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
};

/* Inputs that must be refused, and the start of the message. */
static const struct bad bad[] = {
	{ "Zg=", "invalid base64: length 3 is not a multiple of 4" },
	{ "Zg", "invalid base64: length 2" },
	{ "Z", "invalid base64: length 1" },
	{ "Z===", "invalid base64: misplaced '=' at offset 1" },
	{ "====", "invalid base64: misplaced '=' at offset 0" },
	{ "Zg==Zg==", "invalid base64: misplaced '=' at offset 2" },
	{ "Zh==", "invalid base64: non-zero bits before the padding" },
	{ "Zm9=", "invalid base64: non-zero bits before the padding" },
	{ "Zm9v\n", "invalid base64: length 5" },
	{ "Zm9v\r\n==", "invalid base64: unexpected byte 0x0d at offset 4" },
	{ "Zm 9", "invalid base64: unexpected byte 0x20 at offset 2" },
	{ "Zm9v-_==", "invalid base64: unexpected '-' at offset 4" },
	{ "Zm9\xc3", "invalid base64: unexpected byte 0xc3 at offset 3" },
	{ " Zm9vYmE", "invalid base64: unexpected byte 0x20 at offset 0" },
};

static void
test_known_encode(void **state)
{
	size_t	 i, n;
	char	*s;

	(void)state;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		n = known[i].len;
		s = base64_encode(known[i].plain, n);
		assert_string_equal(s, known[i].encoded);
		assert_int_equal(base64_encoded_len(n), strlen(s));
		free(s);
	}
}

static void
test_known_decode(void **state)
{
	uint8_t	*out;
	size_t	 i, n, want;
	char	*err = NULL;

	(void)state;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		want = known[i].len;
		assert_int_equal(base64_decode(known[i].encoded,
		    strlen(known[i].encoded), &out, &n, &err), 0);
		assert_null(err);
		assert_int_equal(n, want);
		assert_memory_equal(out, known[i].plain, n);
		assert_int_equal(out[n], '\0');
		free(out);
	}
}

static void
test_bad(void **state)
{
	uint8_t	*out = NULL;
	size_t	 i, n = 0, len;
	char	*err;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = NULL;
		len = strlen(bad[i].input);
		assert_int_equal(base64_decode(bad[i].input, len, &out, &n,
		    &err), -1);
		assert_null(out);
		assert_non_null(err);
		if (strncmp(err, bad[i].message, strlen(bad[i].message)) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s...\"",
			    bad[i].input, err, bad[i].message);
		free(err);
	}
}

static void
test_nul_inside(void **state)
{
	uint8_t	*out = NULL;
	size_t	 n;
	char	*err = NULL;

	(void)state;
	assert_int_equal(base64_decode("Zm\0v", 4, &out, &n, &err), -1);
	assert_string_equal(err,
	    "invalid base64: unexpected byte 0x00 at offset 2");
	free(err);
}

/* Every length 0..300 of every byte value round-trips. */
static void
test_round_trip(void **state)
{
	uint8_t	 buf[300], *out;
	size_t	 len, i, n;
	char	*s, *err = NULL;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 167 + 13);
	for (len = 0; len <= sizeof(buf); len++) {
		s = base64_encode(buf, len);
		assert_int_equal(strlen(s), base64_encoded_len(len));
		assert_int_equal(base64_decode(s, strlen(s), &out, &n, &err),
		    0);
		assert_int_equal(n, len);
		assert_memory_equal(out, buf, len);
		free(out);
		free(s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_encode),
		cmocka_unit_test(test_known_decode),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_nul_inside),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
