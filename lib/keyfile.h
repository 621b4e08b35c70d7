/* keyfile.h: a df1 key derived once and kept in a private file, so that an
 * unattended program opens the installation's secrets with no derivation. */
#ifndef DF_KEYFILE_H
#define DF_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>

struct credential_key;

#define KEYFILE_ENV	"DATAFLOW_KEY_FILE"
#define KEYFILE_PREFIX	"dfk1:"

/*
 * Parse the len bytes at text, a key file's contents: "dfk1:" and the
 * base64 of version (1), KDF (1), iterations and key id (big-endian, 4
 * bytes each), salt (16) and key (32), then at most one newline. Return 0
 * with *k filled (caller wipes it), or -1 with *errp (caller frees), a
 * message that never holds the key, and *k wiped.
 */
int	 keyfile_parse(const char *text, size_t len,
	    struct credential_key *k, char **errp);
/*
 * Return the contents of a key file for k, newline-terminated; the caller
 * frees it with xfreezero_str.
 */
char	*keyfile_format(const struct credential_key *k);
/*
 * Read the key file at path, checked as a passkey file is (owner and mode,
 * passkey_read_private), into *k. Return 0, or -1 with *errp (caller
 * frees) naming path, and *k wiped.
 */
int	 keyfile_read(const char *path, struct credential_key *k,
	    char **errp);
/*
 * Write k to the key file at path, mode 0600, atomically (a new file
 * renamed over path); an existing path is refused unless force. Return 0,
 * or -1 with *errp (caller frees).
 */
int	 keyfile_write(const char *path, const struct credential_key *k,
	    bool force, char **errp);

#endif
