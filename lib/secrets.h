/* secrets.h: the passkey and the secrets it opens, as programs use them. */
#ifndef DF_SECRETS_H
#define DF_SECRETS_H

#include <stdbool.h>

struct settings;
struct credential_keyring;

struct secrets {
	struct credential_keyring *keyring;	/* NULL: no passkey */
	const char	*source;	/* where the passkey came from */
};

/*
 * Obtain the passkey (--passkey-file FILE if given, $PASSKEY,
 * $DATAFLOW_PASSKEY_FILE, or a no-echo prompt when prompt is true and
 * standard input is a terminal) and keep only the derived keyring: the
 * passkey itself is wiped at once. Having no passkey is not an error
 * (sec->keyring stays NULL). Return 0, or -1 with *errp (caller frees).
 */
int	secrets_open(struct secrets *sec, const char *file, bool prompt,
	    char **errp);
/*
 * Decrypt ciphertext into *plain (caller frees with xfreezero_str). what
 * names the secret in messages ("dataset raw", "PATH:LINE: encrypted").
 * Return 0, or -1 with *errp naming what failed: no passkey, not a
 * ciphertext, wrong passkey or damaged ciphertext.
 */
int	secrets_decrypt(struct secrets *sec, const char *ciphertext,
	    const char *what, char **plain, char **errp);
/*
 * Return the database password the settings give (password=, or the
 * decryption of encrypted=), or NULL when there is none, in *password
 * (caller frees with xfreezero_str). Return 0, or -1 with *errp.
 */
int	secrets_db_password(struct secrets *sec, const struct settings *s,
	    char **password, char **errp);
/* Wipe and free the keyring; the struct may be opened again. */
void	secrets_close(struct secrets *sec);

#endif
