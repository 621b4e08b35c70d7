/* test_credential.c: unit tests for lib/credential.c and lib/passkey.c. */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base64.h"
#include "credential.h"
#include "passkey.h"
#include "xmalloc.h"

#define VECTORS		TEST_DATADIR "/opendataflow-cryptor.tsv"
#define PASS		"correct horse battery staple"
/* "pässwörd ✓ 密码" in UTF-8 */
#define UNICODE_TEXT	"p\xc3\xa4ssw\xc3\xb6rd \xe2\x9c\x93 " \
			"\xe5\xaf\x86\xe7\xa0\x81"

/* A keyring for PASS, cheap to derive with, for tests that derive often. */
static struct credential_keyring *
test_keyring(const char *passkey)
{
	struct credential_keyring	*kr;
	char				*err = NULL;

	kr = credential_keyring_new(passkey, strlen(passkey));
	assert_int_equal(credential_keyring_set_iterations(kr,
	    CREDENTIAL_ITER_MIN, &err), 0);
	return kr;
}

static char *
test_encrypt(struct credential_keyring *kr, enum credential_format format,
    const void *plain, size_t len)
{
	char	*out = NULL, *err = NULL;

	if (credential_encrypt(kr, format, plain, len, &out, &err) != 0)
		fail_msg("credential_encrypt: %s", err);
	assert_non_null(out);
	return out;
}

/* Decrypt ct, expecting rv; on success compare with want (len bytes). */
static void
test_decrypt(struct credential_keyring *kr, const char *ct, int rv,
    const void *want, size_t len)
{
	char	*plain = NULL, *err = NULL;
	size_t	 n = SIZE_MAX;
	int	 got;

	got = credential_decrypt(kr, ct, &plain, &n, &err);
	if (got != rv)
		fail_msg("decrypt \"%.60s\": got %d (%s), want %d", ct, got,
		    err != NULL ? err : "no error", rv);
	if (rv != CREDENTIAL_OK) {
		assert_null(plain);
		assert_int_equal(n, SIZE_MAX);
		assert_non_null(err);
		assert_null(strchr(err, '\n'));
		free(err);
		return;
	}
	assert_null(err);
	assert_int_equal(n, len);
	assert_memory_equal(plain, want, len);
	assert_int_equal(plain[n], '\0');
	freezero(plain, n + 1);
}

/* Expect ct to be refused, as not a ciphertext or as not authentic. */
static void
test_refused(struct credential_keyring *kr, const char *ct)
{
	char	*plain = NULL, *err = NULL;
	int	 rv;

	rv = credential_decrypt(kr, ct, &plain, NULL, &err);
	if (rv != CREDENTIAL_EFORMAT && rv != CREDENTIAL_EAUTH)
		fail_msg("decrypt \"%.60s\": got %d, want a refusal", ct, rv);
	assert_null(plain);
	assert_non_null(err);
	assert_null(strchr(err, '\n'));
	free(err);
}

/* Return "df1:" and the base64 of the len bytes at bin. */
static char *
test_df1_text(const uint8_t *bin, size_t len)
{
	char	*b64, *ct;

	b64 = base64_encode(bin, len);
	ct = xasprintf("%s%s", CREDENTIAL_DF1_PREFIX, b64);
	free(b64);
	return ct;
}

/* Every row of OpenDataFlow's own vectors decrypts, with no KDF run. */
static void
test_odf_vectors(void **state)
{
	struct credential_keyring	*kr;
	FILE				*f;
	char				*line = NULL, *pass, *plain, *ct, *tab;
	size_t				 cap = 0;
	ssize_t				 n;
	int				 rows = 0;

	(void)state;
	if ((f = fopen(VECTORS, "r")) == NULL)
		fail_msg("cannot open %s", VECTORS);
	while ((n = getline(&line, &cap, f)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		pass = line;
		if ((tab = strchr(pass, '\t')) == NULL)
			fail_msg("bad vector line: %s", line);
		*tab = '\0';
		plain = tab + 1;
		if ((tab = strchr(plain, '\t')) == NULL)
			fail_msg("bad vector line: %s", line);
		*tab = '\0';
		ct = tab + 1;
		assert_int_equal(credential_format_of(ct), CREDENTIAL_ODF);
		kr = credential_keyring_new(pass, strlen(pass));
		test_decrypt(kr, ct, CREDENTIAL_OK, plain, strlen(plain));
		assert_int_equal(credential_keyring_derivations(kr), 0);
		credential_keyring_free(kr);
		rows++;
	}
	free(line);
	fclose(f);
	assert_true(rows >= 4);
}

static void
test_round_trip(enum credential_format format)
{
	struct credential_keyring	*kr;
	uint8_t				*big;
	size_t				 i;
	char				*ct, *ct2, *err = NULL;

	kr = test_keyring(PASS);
	ct = test_encrypt(kr, format, "", 0);
	assert_int_equal(credential_format_of(ct), format);
	test_decrypt(kr, ct, CREDENTIAL_OK, "", 0);
	free(ct);

	ct = test_encrypt(kr, format, UNICODE_TEXT, strlen(UNICODE_TEXT));
	test_decrypt(kr, ct, CREDENTIAL_OK, UNICODE_TEXT, strlen(UNICODE_TEXT));
	free(ct);

	/* 4 KB of every byte value, NUL included; then the longest. */
	big = xmalloc(CREDENTIAL_MAXPLAIN + 1);
	for (i = 0; i <= CREDENTIAL_MAXPLAIN; i++)
		big[i] = (uint8_t)(i * 31 + 7);
	ct = test_encrypt(kr, format, big, 4096);
	test_decrypt(kr, ct, CREDENTIAL_OK, big, 4096);
	free(ct);
	ct = test_encrypt(kr, format, big, CREDENTIAL_MAXPLAIN);
	test_decrypt(kr, ct, CREDENTIAL_OK, big, CREDENTIAL_MAXPLAIN);
	free(ct);
	ct = NULL;
	assert_int_equal(credential_encrypt(kr, format, big,
	    CREDENTIAL_MAXPLAIN + 1, &ct, &err), -1);
	assert_null(ct);
	assert_string_equal(err, "plaintext too long (65537 bytes, at most "
	    "65536)");
	free(err);
	free(big);

	/* Two encryptions of one text differ (random IV). */
	ct = test_encrypt(kr, format, "same", 4);
	ct2 = test_encrypt(kr, format, "same", 4);
	assert_string_not_equal(ct, ct2);
	free(ct);
	free(ct2);
	credential_keyring_free(kr);
}

static void
test_round_trip_odf(void **state)
{
	(void)state;
	test_round_trip(CREDENTIAL_ODF);
}

static void
test_round_trip_df1(void **state)
{
	(void)state;
	test_round_trip(CREDENTIAL_DF1);
}

/*
 * Flip bits in every byte of the decoded ciphertext (header, salt, IV,
 * ciphertext, tag): decryption must fail every time, and where the header
 * still parses, as not authentic. Only the low bit of the df1 iteration
 * count is flipped: higher ones would cost seconds of PBKDF2.
 */
static void
test_flip(enum credential_format format)
{
	struct credential_keyring	*kr;
	uint8_t				*bin;
	size_t				 binlen, i, skip;
	char				*ct, *body, *flipped, *err = NULL;
	int				 bit, df1;

	df1 = format == CREDENTIAL_DF1;
	kr = test_keyring(PASS);
	ct = test_encrypt(kr, format, "secretpass", 10);
	skip = df1 ? strlen(CREDENTIAL_DF1_PREFIX) : 0;
	assert_int_equal(base64_decode(ct + skip, strlen(ct + skip), &bin,
	    &binlen, &err), 0);
	assert_int_equal(binlen, (df1 ? 38 : 12) + 10 + 16);
	for (i = 0; i < binlen; i++) {
		for (bit = 0; bit < 8; bit++) {
			if (df1 && i >= 2 && i < 6 && bit > 0)
				continue;
			bin[i] ^= 1u << bit;
			body = base64_encode(bin, binlen);
			flipped = xasprintf("%.*s%s", (int)skip, ct, body);
			if (df1 && i < 2)	/* version, KDF */
				test_decrypt(kr, flipped, CREDENTIAL_EFORMAT,
				    NULL, 0);
			else if (df1 && i < 6)	/* iterations */
				test_refused(kr, flipped);
			else
				test_decrypt(kr, flipped, CREDENTIAL_EAUTH,
				    NULL, 0);
			free(flipped);
			free(body);
			bin[i] ^= 1u << bit;
		}
	}
	/* The textual prefix: another one is not df1. */
	for (i = 0; i < skip; i++) {
		flipped = xstrdup(ct);
		flipped[i] ^= 0x01;
		test_decrypt(kr, flipped, CREDENTIAL_EFORMAT, NULL, 0);
		free(flipped);
	}
	free(bin);
	free(ct);
	credential_keyring_free(kr);
}

static void
test_flip_odf(void **state)
{
	(void)state;
	test_flip(CREDENTIAL_ODF);
}

static void
test_flip_df1(void **state)
{
	(void)state;
	test_flip(CREDENTIAL_DF1);
}

static void
test_wrong_passkey(void **state)
{
	struct credential_keyring	*kr, *wrong;
	char				*ct, *plain = NULL, *err = NULL;
	enum credential_format		 f;

	(void)state;
	kr = test_keyring(PASS);
	wrong = test_keyring(PASS "!");
	for (f = CREDENTIAL_ODF; f <= CREDENTIAL_DF1; f++) {
		ct = test_encrypt(kr, f, "secretpass", 10);
		assert_int_equal(credential_decrypt(wrong, ct, &plain, NULL,
		    &err), CREDENTIAL_EAUTH);
		assert_null(plain);
		assert_string_equal(err, "wrong passkey or damaged ciphertext");
		free(err);
		free(ct);
	}
	credential_keyring_free(kr);
	credential_keyring_free(wrong);
}

/*
 * Every proper prefix of a ciphertext is refused: as not a ciphertext when
 * it is not whole base64 of the minimum length, else as not authentic.
 */
static void
test_truncated(void **state)
{
	struct credential_keyring	*kr;
	enum credential_format		 f;
	size_t				 len, skip, min;
	char				*ct, *cut;
	int				 rv;

	(void)state;
	kr = test_keyring(PASS);
	for (f = CREDENTIAL_ODF; f <= CREDENTIAL_DF1; f++) {
		skip = f == CREDENTIAL_DF1 ? strlen(CREDENTIAL_DF1_PREFIX) : 0;
		min = f == CREDENTIAL_DF1 ? 38 + 16 : 12 + 16;
		ct = test_encrypt(kr, f, UNICODE_TEXT, strlen(UNICODE_TEXT));
		for (len = 0; len < strlen(ct); len++) {
			cut = xstrndup(ct, len);
			rv = CREDENTIAL_EFORMAT;
			if (len >= skip && (len - skip) % 4 == 0 &&
			    (len - skip) / 4 * 3 >= min)
				rv = CREDENTIAL_EAUTH;
			test_decrypt(kr, cut, rv, NULL, 0);
			free(cut);
		}
		free(ct);
	}
	credential_keyring_free(kr);
}

static void
test_not_ciphertext(void **state)
{
	struct credential_keyring	*kr;
	static const struct {
		const char	*input;
		const char	*message;
	} cases[] = {
		{ "", "not a ciphertext: too short (0 bytes, at least 28)" },
		{ "plugh", "not a ciphertext: invalid base64: length 5 is not "
		    "a multiple of 4" },
		{ "secretpass!!", "not a ciphertext: invalid base64: "
		    "unexpected '!' at offset 10" },
		{ "Zm9vYmFy", "not a ciphertext: too short (6 bytes, at least "
		    "28)" },
		{ "df1:", "not a df1 ciphertext: too short (0 bytes, at least "
		    "54)" },
		{ "df1:Zm9v*mFy", "not a df1 ciphertext: invalid base64: "
		    "unexpected '*' at offset 4" },
		{ "df2:AAAA", "not a ciphertext: unknown format \"df2\"" },
		{ "df10:AAAA", "not a ciphertext: unknown format \"df10\"" },
		{ " jpjs4syrN4k10gzYexjVV9ev/8gml9d+r28pdjBZ77cgWOvLfag=",
		    "not a ciphertext: invalid base64: length 53 is not a "
		    "multiple of 4" },
		{ "jpjs4syrN4k10gzYexjVV9ev/8gml9d+r28pdjBZ77cgWOvLfag=\n\n",
		    "not a ciphertext: invalid base64: length 53" },
		{ "jpjs4syrN4k10gzYexjVV9ev/8gml9d+r28pdjBZ77cgWOvLfa\r\n",
		    "not a ciphertext: invalid base64: length 50" },
	};
	char	*plain = NULL, *err;
	size_t	 i;

	(void)state;
	kr = credential_keyring_new("plugh", 5);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err = NULL;
		assert_int_equal(credential_decrypt(kr, cases[i].input, &plain,
		    NULL, &err), CREDENTIAL_EFORMAT);
		assert_null(plain);
		if (strncmp(err, cases[i].message,
		    strlen(cases[i].message)) != 0)
			fail_msg("\"%s\": got \"%s\"", cases[i].input, err);
		free(err);
		assert_int_equal(credential_format_of(cases[i].input),
		    CREDENTIAL_UNKNOWN);
	}
	assert_int_equal(credential_keyring_derivations(kr), 0);
	credential_keyring_free(kr);
}

/* One trailing newline ("\n" or "\r\n") is ignored, as from a file. */
static void
test_trailing_newline(void **state)
{
	struct credential_keyring	*kr;
	const char *ct = "jpjs4syrN4k10gzYexjVV9ev/8gml9d+r28pdjBZ77cgWOvLfag=";
	char	*s;

	(void)state;
	kr = credential_keyring_new("plugh", 5);
	s = xasprintf("%s\n", ct);
	test_decrypt(kr, s, CREDENTIAL_OK, "secretpass", 10);
	free(s);
	s = xasprintf("%s\r\n", ct);
	test_decrypt(kr, s, CREDENTIAL_OK, "secretpass", 10);
	free(s);
	s = xasprintf("%s\r", ct);
	test_decrypt(kr, s, CREDENTIAL_EFORMAT, NULL, 0);
	free(s);
	credential_keyring_free(kr);
}

/* A df1 header out of bounds is refused before any key derivation. */
static void
test_header_bounds(void **state)
{
	struct credential_keyring	*kr;
	static const struct {
		uint8_t		 version, kdf;
		uint32_t	 iterations;
		int		 rv;
	} cases[] = {
		{ 1, 1, 0xff000000, CREDENTIAL_EFORMAT },
		{ 1, 1, 0, CREDENTIAL_EFORMAT },
		{ 1, 1, CREDENTIAL_ITER_MIN - 1, CREDENTIAL_EFORMAT },
		{ 1, 1, CREDENTIAL_ITER_MAX + 1, CREDENTIAL_EFORMAT },
		{ 0, 1, CREDENTIAL_ITER_MIN, CREDENTIAL_EFORMAT },
		{ 2, 1, CREDENTIAL_ITER_MIN, CREDENTIAL_EFORMAT },
		{ 1, 0, CREDENTIAL_ITER_MIN, CREDENTIAL_EFORMAT },
		{ 1, 2, CREDENTIAL_ITER_MIN, CREDENTIAL_EFORMAT },
		{ 1, 1, CREDENTIAL_ITER_MIN, CREDENTIAL_EAUTH },
	};
	uint8_t				 bin[38 + 16];
	size_t				 i;
	char				*ct;

	(void)state;
	kr = credential_keyring_new("plugh", 5);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(bin, 0, sizeof(bin));
		bin[0] = cases[i].version;
		bin[1] = cases[i].kdf;
		bin[2] = cases[i].iterations >> 24;
		bin[3] = cases[i].iterations >> 16;
		bin[4] = cases[i].iterations >> 8;
		bin[5] = cases[i].iterations;
		ct = test_df1_text(bin, sizeof(bin));
		test_decrypt(kr, ct, cases[i].rv, NULL, 0);
		free(ct);
	}
	/* Only the last, valid header cost a derivation. */
	assert_int_equal(credential_keyring_derivations(kr), 1);
	credential_keyring_free(kr);
}

/* Ciphertexts that share a salt cost one key derivation per keyring. */
static void
test_keyring_cache(void **state)
{
	struct credential_keyring	*w1, *w2, *w3, *r;
	struct credential_info		 a, b, c;
	char				*ct1, *ct2, *ct3, *ct4, *err = NULL;

	(void)state;
	w1 = test_keyring(PASS);
	ct1 = test_encrypt(w1, CREDENTIAL_DF1, "one", 3);
	ct2 = test_encrypt(w1, CREDENTIAL_DF1, "two", 3);
	assert_int_equal(credential_keyring_derivations(w1), 1);
	assert_int_equal(credential_inspect(ct1, &a, &err), 0);
	assert_int_equal(credential_inspect(ct2, &b, &err), 0);
	assert_memory_equal(a.salt, b.salt, CREDENTIAL_SALTLEN);

	/* Another writer draws another salt... */
	w2 = test_keyring(PASS);
	ct3 = test_encrypt(w2, CREDENTIAL_DF1, "three", 5);
	assert_int_equal(credential_inspect(ct3, &c, &err), 0);
	assert_memory_not_equal(a.salt, c.salt, CREDENTIAL_SALTLEN);
	/* ...unless told to use the salt of an existing ciphertext. */
	w3 = credential_keyring_new(PASS, strlen(PASS));
	assert_int_equal(credential_keyring_use_salt_of(w3, ct1, &err), 0);
	ct4 = test_encrypt(w3, CREDENTIAL_DF1, "four", 4);
	assert_int_equal(credential_inspect(ct4, &c, &err), 0);
	assert_memory_equal(a.salt, c.salt, CREDENTIAL_SALTLEN);
	assert_int_equal(c.iterations, CREDENTIAL_ITER_MIN);

	r = credential_keyring_new(PASS, strlen(PASS));
	test_decrypt(r, ct1, CREDENTIAL_OK, "one", 3);
	assert_int_equal(credential_keyring_derivations(r), 1);
	test_decrypt(r, ct2, CREDENTIAL_OK, "two", 3);
	test_decrypt(r, ct4, CREDENTIAL_OK, "four", 4);
	test_decrypt(r, ct1, CREDENTIAL_OK, "one", 3);
	assert_int_equal(credential_keyring_derivations(r), 1);
	test_decrypt(r, ct3, CREDENTIAL_OK, "three", 5);
	assert_int_equal(credential_keyring_derivations(r), 2);
	/* ODF ciphertexts need no derivation at all. */
	free(ct1);
	ct1 = test_encrypt(r, CREDENTIAL_ODF, "five", 4);
	test_decrypt(r, ct1, CREDENTIAL_OK, "five", 4);
	assert_int_equal(credential_keyring_derivations(r), 2);

	/* An ODF ciphertext has no salt to share. */
	assert_int_equal(credential_keyring_use_salt_of(w3, ct1, &err), -1);
	assert_string_equal(err, "not a df1 ciphertext: it has no salt");
	free(err);
	err = NULL;
	assert_int_equal(credential_keyring_use_salt_of(w3, "nope", &err),
	    -1);
	free(err);

	free(ct1);
	free(ct2);
	free(ct3);
	free(ct4);
	credential_keyring_free(w1);
	credential_keyring_free(w2);
	credential_keyring_free(w3);
	credential_keyring_free(r);
}

static void
test_inspect(void **state)
{
	struct credential_keyring	*kr;
	struct credential_info		 info;
	char				*ct, *err = NULL;

	(void)state;
	kr = credential_keyring_new(PASS, strlen(PASS));
	assert_int_equal(credential_keyring_set_iterations(kr, 12345, &err),
	    0);
	credential_keyring_set_keyid(kr, 0xfeedbeef);
	ct = test_encrypt(kr, CREDENTIAL_DF1, "secret", 6);
	assert_true(strncmp(ct, "df1:AQEAADA5/u2+7", 17) == 0);
	assert_int_equal(credential_inspect(ct, &info, &err), 0);
	assert_int_equal(info.format, CREDENTIAL_DF1);
	assert_int_equal(info.kdf, 1);
	assert_int_equal(info.iterations, 12345);
	assert_int_equal(info.keyid, 0xfeedbeef);
	assert_int_equal(info.plainlen, 6);
	/* 4 + base64(38 + 6 + 16) */
	assert_int_equal(strlen(ct), 4 + 80);
	free(ct);
	ct = test_encrypt(kr, CREDENTIAL_ODF, "secret", 6);
	assert_int_equal(credential_inspect(ct, &info, &err), 0);
	assert_int_equal(info.format, CREDENTIAL_ODF);
	assert_int_equal(info.plainlen, 6);
	assert_int_equal(info.keyid, 0);
	free(ct);
	credential_keyring_free(kr);
}

static void
test_iterations_range(void **state)
{
	struct credential_keyring	*kr;
	char				*err = NULL;

	(void)state;
	kr = credential_keyring_new(PASS, strlen(PASS));
	assert_int_equal(credential_keyring_set_iterations(kr,
	    CREDENTIAL_ITER_MIN - 1, &err), -1);
	assert_string_equal(err, "9999 iterations is outside 10000..1000000");
	free(err);
	err = NULL;
	assert_int_equal(credential_keyring_set_iterations(kr,
	    CREDENTIAL_ITER_MAX + 1, &err), -1);
	free(err);
	credential_keyring_free(kr);
}

/*
 * Whoever writes a ciphertext chooses the work its reader does: a count
 * over the cap (ten times the default) is refused before any derivation,
 * with a message that names the count and the cap; the cap itself is read.
 */
static void
test_iterations_cap(void **state)
{
	struct credential_keyring	*w, *r;
	static const uint32_t		 over[] = {
		CREDENTIAL_ITER_MAX + 1, 10000000, 0x7fffffff
	};
	uint8_t				*bin = NULL;
	size_t				 len, i;
	char				*ct, *forged, *plain = NULL, *err = NULL;
	char				*want;

	(void)state;
	assert_int_equal(CREDENTIAL_ITER_MAX, 10 * CREDENTIAL_ITER_DEFAULT);
	w = credential_keyring_new(PASS, strlen(PASS));
	assert_int_equal(credential_keyring_set_iterations(w,
	    CREDENTIAL_ITER_MAX, &err), 0);
	ct = test_encrypt(w, CREDENTIAL_DF1, "capped", 6);
	assert_int_equal(base64_decode(ct + 4, strlen(ct + 4), &bin, &len,
	    &err), 0);

	r = credential_keyring_new(PASS, strlen(PASS));
	for (i = 0; i < sizeof(over) / sizeof(over[0]); i++) {
		bin[2] = over[i] >> 24;
		bin[3] = over[i] >> 16;
		bin[4] = over[i] >> 8;
		bin[5] = over[i];
		forged = test_df1_text(bin, len);
		assert_int_equal(credential_decrypt(r, forged, &plain, NULL,
		    &err), CREDENTIAL_EFORMAT);
		assert_null(plain);
		want = xasprintf("df1 ciphertext asks for %u PBKDF2 "
		    "iterations, more than the %u accepted", over[i],
		    CREDENTIAL_ITER_MAX);
		assert_string_equal(err, want);
		free(want);
		free(err);
		err = NULL;
		free(forged);
	}
	/* Refused on the header alone: no key was derived. */
	assert_int_equal(credential_keyring_derivations(r), 0);

	/* At the cap it is read, and the key derived once per process. */
	test_decrypt(r, ct, CREDENTIAL_OK, "capped", 6);
	test_decrypt(r, ct, CREDENTIAL_OK, "capped", 6);
	assert_int_equal(credential_keyring_derivations(r), 1);

	/* Nothing writes what could not be read back. */
	assert_int_equal(credential_keyring_set_iterations(w,
	    CREDENTIAL_ITER_MAX + 1, &err), -1);
	free(err);
	free(bin);
	free(ct);
	credential_keyring_free(w);
	credential_keyring_free(r);
}

/* Key ids pick the passkey; a mismatch is named in the error. */
static void
test_keyid(void **state)
{
	struct credential_keyring	*old, *new, *both;
	char				*ct_old, *ct_new, *plain = NULL;
	char				*err = NULL;

	(void)state;
	old = test_keyring("old passkey");
	new = test_keyring("new passkey");
	credential_keyring_set_keyid(new, 2);
	ct_old = test_encrypt(old, CREDENTIAL_DF1, "a", 1);
	ct_new = test_encrypt(new, CREDENTIAL_DF1, "b", 1);

	both = credential_keyring_new("new passkey", 11);
	credential_keyring_set_keyid(both, 2);
	assert_int_equal(credential_keyring_add(both, 1, "old passkey", 11,
	    &err), 0);
	assert_int_equal(credential_keyring_add(both, 1, "x", 1, &err), -1);
	assert_string_equal(err, "key id 1 is already in the keyring");
	free(err);
	err = NULL;
	test_decrypt(both, ct_old, CREDENTIAL_OK, "a", 1);
	test_decrypt(both, ct_new, CREDENTIAL_OK, "b", 1);

	/* Without the old passkey: the primary one is tried, and fails. */
	assert_int_equal(credential_decrypt(new, ct_old, &plain, NULL, &err),
	    CREDENTIAL_EAUTH);
	assert_string_equal(err, "wrong passkey or damaged ciphertext (it is "
	    "under key id 1, the passkey has key id 2)");
	free(err);
	/* A key id that does not match is still tried with the primary. */
	credential_keyring_set_keyid(old, 9);
	test_decrypt(old, ct_old, CREDENTIAL_OK, "a", 1);

	free(ct_old);
	free(ct_new);
	credential_keyring_free(old);
	credential_keyring_free(new);
	credential_keyring_free(both);
}

static void
test_format_names(void **state)
{
	(void)state;
	assert_int_equal(credential_format_from_name("odf"), CREDENTIAL_ODF);
	assert_int_equal(credential_format_from_name("df1"), CREDENTIAL_DF1);
	assert_int_equal(credential_format_from_name("DF1"),
	    CREDENTIAL_UNKNOWN);
	assert_string_equal(credential_format_name(CREDENTIAL_ODF), "odf");
	assert_string_equal(credential_format_name(CREDENTIAL_DF1), "df1");
	assert_int_equal(credential_format_of("df1:!"), CREDENTIAL_UNKNOWN);
	credential_keyring_free(NULL);
}

/* Passkeys (lib/passkey.c), read from files and the environment. */

static char	 test_dir[PATH_MAX];

static int
test_passkey_setup(void **state)
{
	const char	*tmp = getenv("TMPDIR");
	int		 fd;

	(void)state;
	snprintf(test_dir, sizeof(test_dir), "%s/test_credential.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(test_dir) == NULL)
		return -1;
	/* Never prompt, even when run from a terminal. */
	if ((fd = open("/dev/null", O_RDONLY)) == -1 ||
	    dup2(fd, STDIN_FILENO) == -1)
		return -1;
	close(fd);
	unsetenv(PASSKEY_ENV);
	unsetenv(PASSKEY_FILE_ENV);
	return 0;
}

static int
test_passkey_teardown(void **state)
{
	char	*cmd;
	int	 rv;

	(void)state;
	cmd = xasprintf("rm -rf '%s'", test_dir);
	rv = system(cmd);
	free(cmd);
	return rv == 0 ? 0 : -1;
}

/* Write a file of len bytes in test_dir with mode; return its path. */
static char *
test_file(const char *name, const void *data, size_t len, mode_t mode)
{
	char	*path;
	FILE	*f;

	path = xasprintf("%s/%s", test_dir, name);
	unlink(path);
	if ((f = fopen(path, "w")) == NULL)
		fail_msg("cannot create %s", path);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* Expect passkey_read_file(path) to fail with a message containing what. */
static void
test_file_refused(const char *path, const char *what)
{
	struct passkey	 pk;
	char		*err = NULL;

	memset(&pk, 'x', sizeof(pk));
	assert_int_equal(passkey_read_file(&pk, path, &err), -1);
	if (err == NULL || strstr(err, what) == NULL)
		fail_msg("%s: got \"%s\", want \"%s\"", path, err, what);
	assert_int_equal(pk.len, 0);
	assert_int_equal(pk.buf[0], '\0');
	free(err);
}

static void
test_passkey_file(void **state)
{
	struct passkey	 pk;
	char		*path, *link, *err = NULL, big[PASSKEY_MAX + 1];

	(void)state;
	path = test_file("ok", "plugh\n", 6, 0600);
	assert_int_equal(passkey_read_file(&pk, path, &err), 1);
	assert_string_equal(pk.buf, "plugh");
	assert_int_equal(pk.len, 5);
	assert_int_equal(pk.source, PASSKEY_FROM_FILE);
	/* A symbolic link is followed; the file it leads to is checked. */
	link = xasprintf("%s/link", test_dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(passkey_read_file(&pk, link, &err), 1);
	assert_string_equal(pk.buf, "plugh");
	free(path);

	path = test_file("crlf", "plugh\r\n", 7, 0400);
	assert_int_equal(passkey_read_file(&pk, path, &err), 1);
	assert_string_equal(pk.buf, "plugh");
	free(path);
	path = test_file("nonl", "plugh", 5, 0600);
	assert_int_equal(passkey_read_file(&pk, path, &err), 1);
	assert_string_equal(pk.buf, "plugh");
	free(path);
	/* Only one newline is stripped: the rest is the passkey. */
	path = test_file("twonl", " plugh \n\n", 9, 0600);
	assert_int_equal(passkey_read_file(&pk, path, &err), 1);
	assert_string_equal(pk.buf, " plugh \n");
	free(path);
	memset(big, 'k', sizeof(big));
	big[PASSKEY_MAX - 1] = '\n';
	path = test_file("longest", big, PASSKEY_MAX, 0600);
	assert_int_equal(passkey_read_file(&pk, path, &err), 1);
	assert_int_equal(pk.len, PASSKEY_MAX - 1);
	free(path);
	passkey_clear(&pk);

	path = test_file("open", "plugh\n", 6, 0644);
	test_file_refused(path, "is accessible by group or others (mode "
	    "0644): chmod 600 it");
	assert_int_equal(chmod(path, 0604), 0);
	test_file_refused(path, "(mode 0604)");
	assert_int_equal(chmod(path, 0620), 0);
	test_file_refused(path, "(mode 0620)");
	assert_int_equal(chmod(path, 0640), 0);
	if (geteuid() == 0) {
		/* root's file may be shared with its group. */
		assert_int_equal(passkey_read_file(&pk, path, &err), 1);
		passkey_clear(&pk);
	} else
		test_file_refused(path, "(mode 0640)");
	free(path);
	path = test_file("empty", "\n", 1, 0600);
	test_file_refused(path, "is empty");
	free(path);
	big[PASSKEY_MAX - 1] = 'k';
	path = test_file("long", big, PASSKEY_MAX, 0600);
	test_file_refused(path, "is too long (more than 1023 bytes)");
	free(path);
	path = test_file("nul", "ab\0cd", 5, 0600);
	test_file_refused(path, "contains a NUL byte");
	free(path);
	test_file_refused(test_dir, "is not a regular file");
	path = xasprintf("%s/missing", test_dir);
	test_file_refused(path, "could not open passkey file");
	free(path);
	free(link);
}

static void
test_passkey_env(void **state)
{
	static char	 env[] = PASSKEY_ENV "=from env";
	struct passkey	 pk;
	char		*path, *err = NULL;
	size_t		 i;

	(void)state;
	/* Nothing available: 0, not an error, even when prompting is ok. */
	assert_int_equal(passkey_get(&pk, NULL, PASSKEY_PROMPT, &err), 0);
	assert_null(err);
	assert_int_equal(pk.len, 0);
	assert_int_equal(pk.source, PASSKEY_FROM_NONE);

	assert_int_equal(putenv(env), 0);
	assert_int_equal(passkey_get(&pk, NULL, 0, &err), 1);
	assert_string_equal(pk.buf, "from env");
	assert_int_equal(pk.source, PASSKEY_FROM_ENV);
	assert_string_equal(passkey_source_name(pk.source), "$PASSKEY");

	/* --passkey-file wins over $PASSKEY, which wins over the file. */
	path = test_file("envfile", "from file\n", 10, 0600);
	assert_int_equal(setenv(PASSKEY_FILE_ENV, path, 1), 0);
	assert_int_equal(passkey_get(&pk, NULL, 0, &err), 1);
	assert_string_equal(pk.buf, "from env");
	assert_int_equal(passkey_get(&pk, path, 0, &err), 1);
	assert_string_equal(pk.buf, "from file");

	/* Scrubbing wipes the value where it was and unsets it. */
	passkey_scrub_env();
	assert_null(getenv(PASSKEY_ENV));
	for (i = strlen(PASSKEY_ENV "="); i < sizeof(env) - 1; i++)
		assert_int_equal(env[i], '\0');
	assert_int_equal(passkey_get(&pk, NULL, 0, &err), 1);
	assert_string_equal(pk.buf, "from file");
	assert_int_equal(pk.source, PASSKEY_FROM_FILE);

	/* An empty $PASSKEY counts as unset. */
	assert_int_equal(setenv(PASSKEY_ENV, "", 1), 0);
	assert_int_equal(passkey_get(&pk, NULL, 0, &err), 1);
	assert_string_equal(pk.buf, "from file");
	unsetenv(PASSKEY_FILE_ENV);
	assert_int_equal(passkey_get(&pk, NULL, 0, &err), 0);
	unsetenv(PASSKEY_ENV);

	/* A refused file is an error, not "no passkey". */
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(setenv(PASSKEY_FILE_ENV, path, 1), 0);
	assert_int_equal(passkey_get(&pk, NULL, 0, &err), -1);
	assert_non_null(strstr(err, "accessible by group or others"));
	free(err);
	unsetenv(PASSKEY_FILE_ENV);
	free(path);
	passkey_clear(&pk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odf_vectors),
		cmocka_unit_test(test_round_trip_odf),
		cmocka_unit_test(test_round_trip_df1),
		cmocka_unit_test(test_flip_odf),
		cmocka_unit_test(test_flip_df1),
		cmocka_unit_test(test_wrong_passkey),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_not_ciphertext),
		cmocka_unit_test(test_trailing_newline),
		cmocka_unit_test(test_header_bounds),
		cmocka_unit_test(test_keyring_cache),
		cmocka_unit_test(test_inspect),
		cmocka_unit_test(test_iterations_range),
		cmocka_unit_test(test_iterations_cap),
		cmocka_unit_test(test_keyid),
		cmocka_unit_test(test_format_names),
		cmocka_unit_test(test_passkey_file),
		cmocka_unit_test(test_passkey_env),
	};

	return cmocka_run_group_tests(tests, test_passkey_setup,
	    test_passkey_teardown);
}
