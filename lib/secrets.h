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
/*
 * Return how many key derivations (PBKDF2 runs) sec's keyring has done:
 * one per distinct (salt, iterations, passkey) decrypted; 0 without one.
 */
unsigned long secrets_derivations(const struct secrets *sec);
/*
 * Make the new df1 ciphertexts of kr share the salt and iteration count of
 * the installation's: those of encrypted= in the properties file the
 * programs read (config, from --config, or else the usual search), so that
 * runjob derives one key for the database password and every dataset
 * password. Return 1 with *pathp (caller frees) naming that file; 0 when
 * there is nothing to share (no file found while config is NULL, no
 * encrypted=, or one in OpenDataFlow's format, which has no salt); or -1
 * with *errp (caller frees) when the file cannot be read or its encrypted=
 * is not a ciphertext.
 */
int	secrets_installation_salt(struct credential_keyring *kr,
	    const char *config, char **pathp, char **errp);
/* Wipe and free the keyring; the struct may be opened again. */
void	secrets_close(struct secrets *sec);

#endif
