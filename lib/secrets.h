/* secrets.h: the passkey and the secrets it opens, as programs use them. */
#ifndef DF_SECRETS_H
#define DF_SECRETS_H

#include <stdbool.h>

#include "report.h"

struct settings;
struct credential_key;
struct credential_keyring;

struct secrets {
	struct credential_keyring *keyring;	/* NULL: no passkey */
	const char	*source;	/* where the passkey came from */
	struct credential_key *key;	/* the key file's, or NULL */
	char		*keyfile;	/* its path */
	unsigned long	 key_opened;	/* secrets the key file opened */
	bool		 key_stale;	/* it failed one of its own */
	struct report	 report;	/* where a stale key file is said;
					   the caller sets it */
};

/*
 * Read the key file keyfile when not NULL (secrets_keyfile_path), then
 * obtain the passkey (--passkey-file FILE if given, $PASSKEY,
 * $DATAFLOW_PASSKEY_FILE, or a no-echo prompt when prompt is true, there
 * is no key file and standard input is a terminal) and keep only the
 * derived keyring: the passkey itself is wiped at once. Having no passkey
 * is not an error (sec->keyring stays NULL). Return 0, or -1 with *errp
 * (caller frees) and nothing kept.
 */
int	secrets_open(struct secrets *sec, const char *file, const char *keyfile,
	    bool prompt, char **errp);
/*
 * Return the key file to use: $DATAFLOW_KEY_FILE when set and not empty,
 * else keyfile= of s (s may be NULL), else NULL. Not owned by the caller.
 */
const char *secrets_keyfile_path(const struct settings *s);
/* Return whether sec can open any secret: a passkey or a key file. */
bool	secrets_have_key(const struct secrets *sec);
/*
 * Decrypt ciphertext into *plain (caller frees with xfreezero_str): with
 * the key file's key when the ciphertext is under it, else (or when that
 * key fails: a stale key file, said once to sec->report) with a key
 * derived from the passkey. what names the secret in messages ("dataset
 * raw", "PATH:LINE: encrypted"). Return 0, or -1 with *errp naming what
 * failed: no passkey, not a ciphertext, wrong passkey or damaged
 * ciphertext, a stale key file and no passkey.
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
/* Return how many secrets the key file has opened (0 without one). */
unsigned long secrets_key_opened(const struct secrets *sec);
/*
 * Find the installation's df1 ciphertext: encrypted= in the properties
 * file the programs read (config, from --config, or else the usual
 * search). Return 1 with *ctp (caller frees) and *pathp (caller frees)
 * naming that file; 0 when there is none (no file found while config is
 * NULL, no encrypted=, or one in OpenDataFlow's format, which has no
 * salt); or -1 with *errp (caller frees) when the file cannot be read or
 * its encrypted= is not a ciphertext.
 */
int	secrets_installation_ciphertext(const char *config, char **ctp,
	    char **pathp, char **errp);
/*
 * Make the new df1 ciphertexts of kr share the salt and iteration count of
 * the installation's: those of encrypted= in the properties file the
 * programs read (config, from --config, or else the usual search), so that
 * runjob derives one key for the database password and every dataset
 * password. Return as secrets_installation_ciphertext.
 */
int	secrets_installation_salt(struct credential_keyring *kr,
	    const char *config, char **pathp, char **errp);
/* Wipe and free the keyring and key; the struct may be opened again. */
void	secrets_close(struct secrets *sec);

#endif
