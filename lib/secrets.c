/* secrets.c: from the passkey (or a key file) to decrypted secrets, with one
 * keyring per process so that secrets sharing a salt cost one derivation,
 * and none when a key file holds their key. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "credential.h"
#include "keyfile.h"
#include "passkey.h"
#include "properties.h"
#include "secrets.h"
#include "settings.h"
#include "xmalloc.h"

int
secrets_open(struct secrets *sec, const char *file, const char *keyfile,
    bool prompt, char **errp)
{
	struct passkey	 pk;
	int		 rc;

	memset(sec, 0, sizeof(*sec));
	*errp = NULL;
	if (keyfile != NULL) {
		sec->key = xcalloc(1, sizeof(*sec->key));
		if (keyfile_read(keyfile, sec->key, errp) == -1) {
			secrets_close(sec);
			return -1;
		}
		sec->keyfile = xstrdup(keyfile);
		/* Unattended: the key file stands for the terminal. */
		prompt = false;
	}
	rc = passkey_get(&pk, file, prompt && isatty(STDIN_FILENO) ?
	    PASSKEY_PROMPT : 0, errp);
	if (rc == -1) {
		passkey_clear(&pk);
		secrets_close(sec);
		return -1;
	}
	if (rc == 1) {
		sec->keyring = credential_keyring_new(pk.buf, pk.len);
		sec->source = passkey_source_name(pk.source);
	}
	passkey_clear(&pk);
	return 0;
}

const char *
secrets_keyfile_path(const struct settings *s)
{
	const char	*v;

	if ((v = getenv(KEYFILE_ENV)) != NULL && *v != '\0')
		return v;
	return s != NULL ? s->keyfile : NULL;
}

bool
secrets_have_key(const struct secrets *sec)
{
	return sec->keyring != NULL || sec->key != NULL;
}

/* What a key file that fails on a ciphertext it matches most likely is. */
#define KEYFILE_STALE_HINT "(stale since the passkey changed? write it " \
	"again with cryptor --write-key)"

/*
 * Decrypt with the key file's key. Return 1 with *plain, 0 when the key
 * file cannot open ciphertext (none, another salt, stale: said once), or
 * -1 with *errp for a ciphertext that no key would open.
 */
static int
secrets_decrypt_key(struct secrets *sec, const char *ciphertext,
    const char *what, char **plain, char **errp)
{
	char	*err = NULL;
	size_t	 len;
	int	 rc;

	if (sec->key == NULL || sec->key_stale)
		return 0;
	rc = credential_decrypt_key(sec->key, ciphertext, plain, &len, &err);
	if (rc == CREDENTIAL_OK) {
		sec->key_opened++;
		return 1;
	}
	if (rc == CREDENTIAL_EFORMAT || rc == CREDENTIAL_ESYS) {
		*errp = xasprintf("%s: %s", what, err);
		free(err);
		return -1;
	}
	free(err);
	if (rc == CREDENTIAL_EAUTH) {
		sec->key_stale = true;
		if (sec->keyring == NULL) {
			*errp = xasprintf("%s: the key file \"%s\" does not "
			    "open it " KEYFILE_STALE_HINT ", and no passkey "
			    "was given", what, sec->keyfile);
			return -1;
		}
		report(&sec->report, REPORT_WARN, "the key file \"%s\" does "
		    "not open %s " KEYFILE_STALE_HINT ": using the passkey",
		    sec->keyfile, what);
	}
	return 0;
}

int
secrets_decrypt(struct secrets *sec, const char *ciphertext,
    const char *what, char **plain, char **errp)
{
	char	*err = NULL;
	size_t	 len;
	int	 rc;

	*plain = NULL;
	if ((rc = secrets_decrypt_key(sec, ciphertext, what, plain,
	    errp)) != 0)
		return rc == 1 ? 0 : -1;
	if (sec->keyring == NULL) {
		*errp = xasprintf("%s: encrypted, and no passkey given (set "
		    "PASSKEY, --passkey-file or DATAFLOW_PASSKEY_FILE)%s%s%s",
		    what, sec->key != NULL ? "; the key file \"" : "",
		    sec->key != NULL ? sec->keyfile : "", sec->key != NULL ?
		    "\" is not for it (an odf secret, or another salt, iteration "
		    "count or key id)" : "");
		return -1;
	}
	if (credential_decrypt(sec->keyring, ciphertext, plain, &len,
	    &err) != CREDENTIAL_OK) {
		*errp = xasprintf("%s: %s", what, err);
		free(err);
		return -1;
	}
	return 0;
}

int
secrets_db_password(struct secrets *sec, const struct settings *s,
    char **password, char **errp)
{
	char	*what;
	int	 rc;

	*password = NULL;
	if (s->encrypted == NULL) {
		if (s->password != NULL)
			*password = xstrdup(s->password);
		return 0;
	}
	what = xasprintf("%s: encrypted", s->path);
	rc = secrets_decrypt(sec, s->encrypted, what, password, errp);
	free(what);
	return rc;
}

unsigned long
secrets_key_opened(const struct secrets *sec)
{
	return sec->key_opened;
}

unsigned long
secrets_derivations(const struct secrets *sec)
{
	if (sec->keyring == NULL)
		return 0;
	return credential_keyring_derivations(sec->keyring);
}

/*
 * Sharing one salt puts every secret of an installation under one key, and
 * AES-GCM must never see an IV twice under a key. It cannot: each
 * ciphertext still draws its own 96-bit IV from RAND_bytes (a failure
 * stops the encryption, never leaves an IV unset), and an installation
 * holds secrets by the dozen or the thousand, where NIST SP 800-38D (8.3)
 * allows 2^32 random IVs per key for a collision chance under 2^-32 (for
 * 10,000 secrets it is about 2^-73). Nothing is weaker for it: all these
 * secrets are under one passkey already, so whoever guesses it from one
 * ciphertext opens them all whatever their salts; the salt, drawn once at
 * random per installation, still makes each installation's guesses its
 * own. OpenDataFlow's format has one key per passkey, for ever.
 */
int
secrets_installation_ciphertext(const char *config, char **ctp,
    char **pathp, char **errp)
{
	struct credential_info	 info;
	struct properties	*p;
	const char		*ct;
	char			*path, *err = NULL;
	int			 rc = 0;

	*ctp = *pathp = NULL;
	if ((path = properties_find(config, &err)) == NULL) {
		if (config == NULL) {
			free(err);
			return 0;
		}
		*errp = err;
		return -1;
	}
	if ((p = properties_load(path, errp)) == NULL) {
		free(path);
		return -1;
	}
	ct = properties_get(p, "encrypted");
	if (ct != NULL && *ct != '\0') {
		if (credential_inspect(ct, &info, &err) != CREDENTIAL_OK) {
			*errp = xasprintf("%s:%d: encrypted: %s", path,
			    properties_line(p, "encrypted"), err);
			free(err);
			rc = -1;
		} else if (info.format == CREDENTIAL_DF1) {
			*ctp = xstrdup(ct);
			rc = 1;
		}
	}
	properties_free(p);
	if (rc == 1)
		*pathp = path;
	else
		free(path);
	return rc;
}

int
secrets_installation_salt(struct credential_keyring *kr, const char *config,
    char **pathp, char **errp)
{
	char	*ct = NULL, *err = NULL;
	int	 rc;

	if ((rc = secrets_installation_ciphertext(config, &ct, pathp,
	    errp)) != 1)
		return rc;
	if (credential_keyring_use_salt_of(kr, ct, &err) == -1) {
		*errp = xasprintf("%s: encrypted: %s", *pathp, err);
		free(err);
		free(*pathp);
		*pathp = NULL;
		rc = -1;
	}
	free(ct);
	return rc;
}

void
secrets_close(struct secrets *sec)
{
	credential_keyring_free(sec->keyring);
	if (sec->key != NULL)
		freezero(sec->key, sizeof(*sec->key));
	free(sec->keyfile);
	memset(sec, 0, sizeof(*sec));
}
