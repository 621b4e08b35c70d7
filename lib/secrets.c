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

void
secrets_close(struct secrets *sec)
{
	credential_keyring_free(sec->keyring);
	sec->keyring = NULL;
	sec->source = NULL;
}
