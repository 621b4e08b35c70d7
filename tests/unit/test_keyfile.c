/* test_keyfile.c: unit tests for lib/keyfile.c; see data/keyfile.tsv
 * (test_secrets.c tests how secrets are opened with a key file). */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "credential.h"
#include "keyfile.h"
#include "tmpdir.h"
#include "tsv.h"
#include "xmalloc.h"

#define PASS	"correct horse battery staple"
#define PASS2	"another passkey"

/* Fail unless err holds what; free err. */
static void
test_err_holds(char *err, const char *what)
{
	assert_non_null(err);
	if (strstr(err, what) == NULL)
		fail_msg("\"%s\" does not hold \"%s\"", err, what);
	free(err);
}

/* A case of keyfile.tsv: parse TEXT, expect rc and fields or message. */
static void
test_table(void **state)
{
	const struct tcase	*c = *state;
	struct credential_key	 k;
	char			*err = NULL, *fields;
	size_t			 i;
	int			 rc;

	rc = keyfile_parse(c->f[0], strlen(c->f[0]), &k, &err);
	assert_int_equal(rc, (int)strtol(c->f[1], NULL, 10));
	if (rc == -1) {
		test_err_holds(err, c->f[2]);
		for (i = 0; i < sizeof(k.key); i++)
			assert_int_equal(k.key[i], 0);
		return;
	}
	assert_null(err);
	fields = xasprintf("%u %u", k.iterations, k.keyid);
	assert_string_equal(fields, c->f[2]);
	free(fields);
	assert_int_equal(k.kdf, CREDENTIAL_KDF_PBKDF2);
	for (i = 0; i < CREDENTIAL_SALTLEN; i++)
		assert_int_equal(k.salt[i], 0x10 + i);
	for (i = 0; i < CREDENTIAL_KEYLEN; i++)
		assert_int_equal(k.key[i], 0x40 + i);
}

/* What keyfile_format writes, keyfile_parse reads back whole. */
static void
test_round_trip(void **state)
{
	struct credential_key	 k, back;
	char			*text, *err = NULL;
	size_t			 i;

	(void)state;
	memset(&k, 0, sizeof(k));
	k.kdf = CREDENTIAL_KDF_PBKDF2;
	k.iterations = 123456;
	k.keyid = 4000000000U;
	for (i = 0; i < CREDENTIAL_SALTLEN; i++)
		k.salt[i] = (uint8_t)(0xa0 + i);
	for (i = 0; i < CREDENTIAL_KEYLEN; i++)
		k.key[i] = (uint8_t)(0xff - i);
	text = keyfile_format(&k);
	assert_int_equal(strncmp(text, KEYFILE_PREFIX, 5), 0);
	assert_int_equal(text[strlen(text) - 1], '\n');
	assert_int_equal(keyfile_parse(text, strlen(text), &back, &err), 0);
	assert_memory_equal(&k, &back, sizeof(k));
	xfreezero_str(text);
}

/* Written 0600, never over a file unless forced; read as privately as a
 * passkey file: a file group or others can read is refused. */
static void
test_files(void **state)
{
	struct credential_keyring	*w;
	struct credential_key		 k;
	struct stat			 st;
	char				*dir, *path, *ct = NULL, *err = NULL;

	(void)state;
	dir = tmpdir_new("keyfile");
	w = credential_keyring_new(PASS, strlen(PASS));
	assert_int_equal(credential_keyring_set_iterations(w,
	    CREDENTIAL_ITER_MIN, &err), 0);
	assert_int_equal(credential_encrypt(w, CREDENTIAL_DF1, "db", 2, &ct,
	    &err), 0);
	assert_int_equal(credential_key_of(w, ct, &k, &err), CREDENTIAL_OK);
	path = xasprintf("%s/key", dir);
	assert_int_equal(keyfile_write(path, &k, false, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(keyfile_read(path, &k, &err), 0);
	assert_int_equal(keyfile_write(path, &k, false, &err), -1);
	test_err_holds(err, "exists (--force replaces it)");
	assert_int_equal(keyfile_write(path, &k, true, &err), 0);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(keyfile_read(path, &k, &err), -1);
	test_err_holds(err, "is accessible by group or others (mode 0644)");
	/* The wrong passkey makes no key file. */
	credential_keyring_free(w);
	w = credential_keyring_new(PASS2, strlen(PASS2));
	assert_int_equal(credential_key_of(w, ct, &k, &err), CREDENTIAL_EAUTH);
	test_err_holds(err, "wrong passkey");
	free(ct);
	/* Nor does an odf ciphertext, which has no salt. */
	assert_int_equal(credential_encrypt(w, CREDENTIAL_ODF, "db", 2, &ct,
	    &err), 0);
	assert_int_equal(credential_key_of(w, ct, &k, &err),
	    CREDENTIAL_EFORMAT);
	test_err_holds(err, "it has no salt");
	free(ct);
	credential_keyring_free(w);
	free(path);
	tmpdir_remove(dir);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_files),
	};

	return tsv_run_group("keyfile", fixed, sizeof fixed / sizeof fixed[0],
	    TEST_DATADIR "/keyfile.tsv", 3, test_table);
}
