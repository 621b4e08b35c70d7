/* test_keyfile.c: unit tests for lib/keyfile.c (see data/keyfile.tsv) and
 * for how lib/secrets.c uses a key file. */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "credential.h"
#include "keyfile.h"
#include "report.h"
#include "secrets.h"
#include "tmpdir.h"
#include "tsv.h"
#include "xmalloc.h"

#define PASS	"correct horse battery staple"
#define PASS2	"the passkey after a change"

/* Fail unless err holds what; free err. */
static void
test_err_holds(char *err, const char *what)
{
	assert_non_null(err);
	if (strstr(err, what) == NULL)
		fail_msg("\"%s\" does not hold \"%s\"", err, what);
	free(err);
}

/* A keyring for passkey, with cheap iterations. */
static struct credential_keyring *
test_writer(const char *passkey)
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
    const char *text)
{
	char	*ct = NULL, *err = NULL;

	assert_int_equal(credential_encrypt(kr, format, text, strlen(text),
	    &ct, &err), 0);
	return ct;
}

/* Write the key of ciphertext ct under passkey to dir/name; its path. */
static char *
test_keyfile(const char *dir, const char *name, const char *passkey,
    const char *ct)
{
	struct credential_keyring	*kr;
	struct credential_key		 k;
	char				*path, *err = NULL;

	kr = credential_keyring_new(passkey, strlen(passkey));
	assert_int_equal(credential_key_of(kr, ct, &k, &err), CREDENTIAL_OK);
	credential_keyring_free(kr);
	path = xasprintf("%s/%s", dir, name);
	assert_int_equal(keyfile_write(path, &k, false, &err), 0);
	explicit_bzero(&k, sizeof(k));
	return path;
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
	char				*dir, *path, *ct, *err = NULL;

	(void)state;
	dir = tmpdir_new("keyfile");
	w = test_writer(PASS);
	ct = test_encrypt(w, CREDENTIAL_DF1, "db");
	path = test_keyfile(dir, "key", PASS, ct);
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
	ct = test_encrypt(w, CREDENTIAL_ODF, "db");
	assert_int_equal(credential_key_of(w, ct, &k, &err),
	    CREDENTIAL_EFORMAT);
	test_err_holds(err, "it has no salt");
	free(ct);
	credential_keyring_free(w);
	free(path);
	tmpdir_remove(dir);
}

/* Count the warnings a secrets reports. */
static void
test_count(void *arg, enum report_level level, const char *msg)
{
	(void)msg;
	if (level == REPORT_WARN)
		(*(int *)arg)++;
}

/*
 * Three secrets sharing a salt and a key file for it: opened with no
 * passkey and no derivation; an odf secret, or one of another salt, still
 * needs the passkey.
 */
static void
test_secrets_key(void **state)
{
	struct credential_keyring	*w;
	struct secrets			 sec;
	char				*dir, *path, *ct[3], *other, *odf;
	char				*plain, *err = NULL;
	size_t				 i;

	(void)state;
	dir = tmpdir_new("keyfile");
	w = test_writer(PASS);
	for (i = 0; i < 3; i++)
		ct[i] = test_encrypt(w, CREDENTIAL_DF1, i == 0 ? "db" : "ds");
	odf = test_encrypt(w, CREDENTIAL_ODF, "odf");
	credential_keyring_free(w);
	w = test_writer(PASS);
	other = test_encrypt(w, CREDENTIAL_DF1, "other");
	credential_keyring_free(w);
	path = test_keyfile(dir, "key", PASS, ct[0]);
	unsetenv("PASSKEY");
	unsetenv("DATAFLOW_PASSKEY_FILE");
	assert_int_equal(secrets_open(&sec, NULL, path, true, &err), 0);
	assert_null(sec.keyring);
	assert_true(secrets_have_key(&sec));
	for (i = 0; i < 3; i++) {
		assert_int_equal(secrets_decrypt(&sec, ct[i], "test", &plain,
		    &err), 0);
		assert_string_equal(plain, i == 0 ? "db" : "ds");
		xfreezero_str(plain);
	}
	assert_int_equal(secrets_key_opened(&sec), 3);
	assert_int_equal(secrets_derivations(&sec), 0);
	assert_int_equal(secrets_decrypt(&sec, other, "dataset o", &plain,
	    &err), -1);
	test_err_holds(err, "dataset o: encrypted, and no passkey given");
	assert_int_equal(secrets_decrypt(&sec, odf, "dataset p", &plain,
	    &err), -1);
	test_err_holds(err, "is not for it");
	secrets_close(&sec);
	/* With the passkey too, the key file still saves the derivation. */
	setenv("PASSKEY", PASS, 1);
	assert_int_equal(secrets_open(&sec, NULL, path, false, &err), 0);
	assert_int_equal(secrets_decrypt(&sec, ct[1], "t", &plain, &err), 0);
	xfreezero_str(plain);
	assert_int_equal(secrets_decrypt(&sec, other, "t", &plain, &err), 0);
	assert_string_equal(plain, "other");
	xfreezero_str(plain);
	assert_int_equal(secrets_derivations(&sec), 1);
	secrets_close(&sec);
	unsetenv("PASSKEY");
	for (i = 0; i < 3; i++)
		free(ct[i]);
	free(other);
	free(odf);
	free(path);
	tmpdir_remove(dir);
}

/*
 * A stale key file (the passkey changed, the salt kept): the passkey
 * opens the secret and the staleness is said once; without a passkey, an
 * error naming the file and the secret.
 */
static void
test_secrets_stale(void **state)
{
	struct credential_keyring	*w;
	struct secrets			 sec;
	char				*dir, *path, *old, *ct[2], *plain;
	char				*err = NULL;
	int				 warned = 0;
	size_t				 i;

	(void)state;
	dir = tmpdir_new("keyfile");
	w = test_writer(PASS);
	old = test_encrypt(w, CREDENTIAL_DF1, "db");
	credential_keyring_free(w);
	path = test_keyfile(dir, "key", PASS, old);
	w = credential_keyring_new(PASS2, strlen(PASS2));
	assert_int_equal(credential_keyring_use_salt_of(w, old, &err), 0);
	for (i = 0; i < 2; i++)
		ct[i] = test_encrypt(w, CREDENTIAL_DF1, "new");
	credential_keyring_free(w);
	setenv("PASSKEY", PASS2, 1);
	assert_int_equal(secrets_open(&sec, NULL, path, false, &err), 0);
	sec.report.fn = test_count;
	sec.report.arg = &warned;
	for (i = 0; i < 2; i++) {
		assert_int_equal(secrets_decrypt(&sec, ct[i], "dataset n",
		    &plain, &err), 0);
		assert_string_equal(plain, "new");
		xfreezero_str(plain);
	}
	assert_int_equal(warned, 1);
	assert_int_equal(secrets_key_opened(&sec), 0);
	assert_int_equal(secrets_derivations(&sec), 1);
	secrets_close(&sec);
	unsetenv("PASSKEY");
	assert_int_equal(secrets_open(&sec, NULL, path, false, &err), 0);
	assert_int_equal(secrets_decrypt(&sec, ct[0], "dataset n", &plain,
	    &err), -1);
	assert_non_null(strstr(err, path));
	test_err_holds(err, "dataset n: the key file");
	secrets_close(&sec);
	for (i = 0; i < 2; i++)
		free(ct[i]);
	free(old);
	free(path);
	tmpdir_remove(dir);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_secrets_key),
		cmocka_unit_test(test_secrets_stale),
	};

	return tsv_run_group("keyfile", fixed, sizeof fixed / sizeof fixed[0],
	    TEST_DATADIR "/keyfile.tsv", 3, test_table);
}
