/* secrets.c: from the passkey to decrypted secrets, with one keyring per
 * process so that secrets sharing a salt cost one key derivation. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "credential.h"
#include "passkey.h"
#include "properties.h"
#include "secrets.h"
#include "settings.h"
#include "xmalloc.h"

int
secrets_open(struct secrets *sec, const char *file, bool prompt,
    char **errp)
{
	struct passkey	 pk;
	int		 rc;

	memset(sec, 0, sizeof(*sec));
	*errp = NULL;
	rc = passkey_get(&pk, file, prompt && isatty(STDIN_FILENO) ?
	    PASSKEY_PROMPT : 0, errp);
	if (rc == -1) {
		passkey_clear(&pk);
		return -1;
	}
	if (rc == 1) {
		sec->keyring = credential_keyring_new(pk.buf, pk.len);
		sec->source = passkey_source_name(pk.source);
	}
	passkey_clear(&pk);
	return 0;
}

int
secrets_decrypt(struct secrets *sec, const char *ciphertext,
    const char *what, char **plain, char **errp)
{
	char	*err = NULL;
	size_t	 len;

	*plain = NULL;
	if (sec->keyring == NULL) {
		*errp = xasprintf("%s: encrypted, and no passkey given (set "
		    "PASSKEY, --passkey-file or DATAFLOW_PASSKEY_FILE)",
		    what);
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
secrets_installation_salt(struct credential_keyring *kr, const char *config,
    char **pathp, char **errp)
{
	struct properties	*p;
	const char		*ct;
	char			*path, *err = NULL;
	int			 rc = 0;

	*pathp = NULL;
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
	if (ct != NULL && *ct != '\0' &&
	    credential_format_of(ct) != CREDENTIAL_ODF) {
		if (credential_keyring_use_salt_of(kr, ct, &err) == -1) {
			*errp = xasprintf("%s:%d: encrypted: %s", path,
			    properties_line(p, "encrypted"), err);
			free(err);
			rc = -1;
		} else
			rc = 1;
	}
	properties_free(p);
	if (rc == 1)
		*pathp = path;
	else
		free(path);
	return rc;
}

void
secrets_close(struct secrets *sec)
{
	credential_keyring_free(sec->keyring);
	sec->keyring = NULL;
	sec->source = NULL;
}
