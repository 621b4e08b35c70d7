/* test_secrets.c: unit tests for lib/secrets.c, with and without a key
 * file; see data/secrets.tsv. */
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
#include "report.h"
#include "secrets.h"
#include "tmpdir.h"
#include "tsv.h"
#include "xmalloc.h"

#define PASS	"correct horse battery staple"
#define PASS2	"another passkey"

/* Return a ciphertext of text by a keyring of its own (own salt). */
static char *
test_encrypt(struct credential_keyring *kr, enum credential_format format,
    const char *text)
{
	char	*ct = NULL, *err = NULL;

	assert_int_equal(credential_encrypt(kr, format, text, strlen(text),
	    &ct, &err), 0);
	return ct;
}

/* A writer as cryptor -e makes one: PASS, cheap iterations. */
static struct credential_keyring *
test_writer(void)
{
	struct credential_keyring	*kr;
	char				*err = NULL;

	kr = credential_keyring_new(PASS, strlen(PASS));
	assert_int_equal(credential_keyring_set_iterations(kr,
	    CREDENTIAL_ITER_MIN, &err), 0);
	return kr;
}

/* Write dir/dataflow.properties with encrypted=ct (NULL: none), mode. */
static char *
test_properties(const char *dir, const char *ct, mode_t mode)
{
	char	*path;
	FILE	*f;

	path = xasprintf("%s/dataflow.properties", dir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "url=postgresql:///dataflow\n");
	if (ct != NULL)
		fprintf(f, "encrypted=%s\n", ct);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* Look for properties only in dir: no variable, HOME there, cwd there. */
static void
test_search_in(const char *dir)
{
	unsetenv("DATAFLOW_PROPERTIES");
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", dir, 1);
	assert_int_equal(chdir(dir), 0);
}

static void
test_table(void **state)
{
	const struct tcase		*c = *state;
	struct credential_keyring	*w, *kr;
	struct credential_info		 a, b;
	char				*dir, *path, *db = NULL, *ct;
	const char			*cfg;
	char				*found = NULL, *err = NULL;
	int				 rc;

	dir = tmpdir_new("secrets");
	w = test_writer();
	if (strcmp(c->f[0], "df1") == 0)
		db = test_encrypt(w, CREDENTIAL_DF1, "db");
	else if (strcmp(c->f[0], "odf") == 0)
		db = test_encrypt(w, CREDENTIAL_ODF, "db");
	else if (strcmp(c->f[0], "empty") == 0)
		db = xstrdup("");
	else if (strcmp(c->f[0], "garbage") == 0)
		db = xstrdup("not base64!");
	path = test_properties(dir, db, (mode_t)strtol(c->f[2], NULL, 8));
	test_search_in(dir);
	cfg = strcmp(c->f[1], "config") == 0 ? path : NULL;
	if (strcmp(c->f[1], "missing-config") == 0)
		cfg = "missing.properties";
	if (strcmp(c->f[1], "missing-search") == 0)
		assert_int_equal(unlink(path), 0);

	kr = credential_keyring_new(PASS, strlen(PASS));
	rc = secrets_installation_salt(kr, cfg, &found, &err);
	assert_int_equal(rc, (int)strtol(c->f[3], NULL, 10));
	if (rc == -1) {
		assert_non_null(err);
		assert_null(found);
		if (strstr(err, c->f[4]) == NULL)
			fail_msg("\"%s\" does not hold \"%s\"", err, c->f[4]);
		free(err);
	} else
		assert_null(err);
	if (rc == 1) {
		/* Found where looked for, and the same salt and count. */
		assert_non_null(strstr(found, "dataflow.properties"));
		ct = test_encrypt(kr, CREDENTIAL_DF1, "dataset");
		assert_int_equal(credential_inspect(db, &a, &err), 0);
		assert_int_equal(credential_inspect(ct, &b, &err), 0);
		assert_memory_equal(a.salt, b.salt, CREDENTIAL_SALTLEN);
		assert_int_equal(b.iterations, CREDENTIAL_ITER_MIN);
		free(ct);
	} else
		assert_null(found);
	free(found);
	credential_keyring_free(kr);
	credential_keyring_free(w);
	free(db);
	free(path);
	tmpdir_remove(dir);
}

/*
 * The ordinary way: the database password, then two dataset passwords by
 * writers that each take the installation's salt; a reader (runjob's
 * secrets) opens all three with one key derivation, and wipes it at close.
 */
static void
test_one_derivation(void **state)
{
	struct credential_keyring	*w;
	struct secrets			 sec;
	char				*dir, *path, *ct[3], *plain, *err = NULL;
	char				*found = NULL;
	size_t				 i;

	(void)state;
	dir = tmpdir_new("secrets");
	w = test_writer();
	ct[0] = test_encrypt(w, CREDENTIAL_DF1, "db");
	credential_keyring_free(w);
	path = test_properties(dir, ct[0], 0600);
	for (i = 1; i < 3; i++) {
		w = credential_keyring_new(PASS, strlen(PASS));
		assert_int_equal(secrets_installation_salt(w, path, &found,
		    &err), 1);
		free(found);
		ct[i] = test_encrypt(w, CREDENTIAL_DF1, i == 1 ? "in" : "out");
		credential_keyring_free(w);
	}
	setenv("PASSKEY", PASS, 1);
	assert_int_equal(secrets_open(&sec, NULL, NULL, false, &err), 0);
	assert_int_equal(secrets_derivations(&sec), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(secrets_decrypt(&sec, ct[i], "test", &plain,
		    &err), 0);
		assert_string_equal(plain, i == 0 ? "db" : i == 1 ? "in" :
		    "out");
		xfreezero_str(plain);
		assert_int_equal(secrets_derivations(&sec), 1);
		free(ct[i]);
	}
	secrets_close(&sec);
	assert_null(sec.keyring);
	assert_int_equal(secrets_derivations(&sec), 0);
	unsetenv("PASSKEY");
	free(path);
	tmpdir_remove(dir);
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
	w = test_writer();
	for (i = 0; i < 3; i++)
		ct[i] = test_encrypt(w, CREDENTIAL_DF1, i == 0 ? "db" : "ds");
	odf = test_encrypt(w, CREDENTIAL_ODF, "odf");
	credential_keyring_free(w);
	w = test_writer();
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
	assert_non_null(strstr(err,
	    "dataset o: encrypted, and no passkey given"));
	free(err);
	assert_int_equal(secrets_decrypt(&sec, odf, "dataset p", &plain,
	    &err), -1);
	assert_non_null(strstr(err, "is not for it"));
	free(err);
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
	w = test_writer();
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
	assert_non_null(strstr(err, "dataset n: the key file"));
	free(err);
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
		cmocka_unit_test(test_one_derivation),
		cmocka_unit_test(test_secrets_key),
		cmocka_unit_test(test_secrets_stale),
	};

	return tsv_run_group("secrets", fixed, sizeof fixed / sizeof fixed[0],
	    TEST_DATADIR "/secrets.tsv", 5, test_table);
}
