/*
 * fuzz_credential.c: fuzz target for ciphertexts (lib/credential.c): the
 * format, version, header and length checks made before decrypting, the
 * decryption of what passes them, and the encryption round trip. The
 * input is a ciphertext (as in encrypted= or a dataset's encryptedpass)
 * and, for the round trip, a plaintext.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credential.h"
#include "fuzz.h"

#define PASSKEY		"fuzz passkey"

/* Encrypts with the fewest iterations; its key is derived once. */
static struct credential_keyring *writer;

static void
check_decrypt(const char *ct)
{
	struct credential_info		 info;
	struct credential_keyring	*kr;
	char				*err = NULL, *plain = NULL;
	size_t				 len = 0;
	int				 rv;

	rv = credential_inspect(ct, &info, &err);
	FUZZ_CHECK(credential_format_of(ct) == (rv == CREDENTIAL_OK ?
	    info.format : CREDENTIAL_UNKNOWN));
	if (rv != CREDENTIAL_OK) {
		FUZZ_CHECK(rv == CREDENTIAL_EFORMAT);
		/* Not a ciphertext, or one that asks for more key
		 * derivation than decryption accepts. */
		FUZZ_CHECK(err != NULL && (strncmp(err, "not a ", 6) == 0 ||
		    strstr(err, "PBKDF2 iterations, more than the") != NULL));
		free(err);
		return;
	}
	FUZZ_CHECK(err == NULL);
	FUZZ_CHECK(info.format == CREDENTIAL_ODF ||
	    info.format == CREDENTIAL_DF1);
	FUZZ_CHECK(info.plainlen <= CREDENTIAL_MAXPLAIN + 2);
	if (info.format == CREDENTIAL_DF1) {
		FUZZ_CHECK(info.iterations >= CREDENTIAL_ITER_MIN &&
		    info.iterations <= CREDENTIAL_ITER_MAX);
		/* Each count is a new key derivation: keep inputs fast. */
		if (info.iterations != CREDENTIAL_ITER_MIN)
			return;
	}
	/* A fresh keyring: the salts of inputs must not pile up. */
	kr = credential_keyring_new(PASSKEY, strlen(PASSKEY));
	rv = credential_decrypt(kr, ct, &plain, &len, &err);
	if (rv == CREDENTIAL_OK) {
		FUZZ_CHECK(err == NULL && plain != NULL);
		FUZZ_CHECK(len == info.plainlen && plain[len] == '\0');
		freezero(plain, len + 1);
	} else {
		/* No plaintext leaves on failure. */
		FUZZ_CHECK(plain == NULL);
		FUZZ_CHECK(rv == CREDENTIAL_EAUTH);
		FUZZ_CHECK(err != NULL && strstr(err, "wrong passkey") != NULL);
		free(err);
	}
	credential_keyring_free(kr);
}

static void
check_round_trip(const uint8_t *data, size_t size,
    enum credential_format format)
{
	char	*ct = NULL, *plain = NULL, *err = NULL;
	size_t	 len = 0;

	if (writer == NULL) {
		writer = credential_keyring_new(PASSKEY, strlen(PASSKEY));
		FUZZ_CHECK(credential_keyring_set_iterations(writer,
		    CREDENTIAL_ITER_MIN, &err) == 0);
	}
	if (credential_encrypt(writer, format, data, size, &ct, &err) == -1) {
		FUZZ_CHECK(size > CREDENTIAL_MAXPLAIN);
		free(err);
		return;
	}
	FUZZ_CHECK(credential_format_of(ct) == format);
	FUZZ_CHECK(credential_decrypt(writer, ct, &plain, &len, &err) ==
	    CREDENTIAL_OK);
	FUZZ_CHECK(len == size && memcmp(plain, data, size) == 0);
	freezero(plain, len + 1);
	free(ct);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*ct;

	if ((ct = fuzz_cstr(data, size)) != NULL) {
		check_decrypt(ct);
		free(ct);
	}
	check_round_trip(data, size, CREDENTIAL_ODF);
	check_round_trip(data, size, CREDENTIAL_DF1);
	return 0;
}
