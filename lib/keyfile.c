/* keyfile.c: the derived-key file (cryptor --write-key): its format, and
 * reading and writing it as privately as the passkey file. */
#include <sys/stat.h>

#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "credential.h"
#include "fileio.h"
#include "keyfile.h"
#include "passkey.h"
#include "xmalloc.h"

/*
 * The decoded body: the first 26 bytes are laid out as a df1 header's
 * (cryptor(1)), so that the fields a ciphertext is matched on read alike.
 *	0	1	version (1)
 *	1	1	KDF (1 = PBKDF2-HMAC-SHA256)
 *	2	4	iterations, big-endian
 *	6	4	key id, big-endian
 *	10	16	salt
 *	26	32	key
 */
#define KEYFILE_VERSION		1
#define KEYFILE_SALTOFF		10
#define KEYFILE_KEYOFF		26
#define KEYFILE_BODYLEN		(KEYFILE_KEYOFF + CREDENTIAL_KEYLEN)
#define KEYFILE_PREFIXLEN	(sizeof(KEYFILE_PREFIX) - 1)
/* The longest file read: the text, a "\r\n", one byte to see more. */
#define KEYFILE_MAXREAD		(KEYFILE_PREFIXLEN + 4 * (KEYFILE_BODYLEN + 2) \
				    / 3 + 3)

/* Return the big-endian 32 bits at p. */
static uint32_t
keyfile_get32(const uint8_t *p)
{
	uint32_t	 v;

	memcpy(&v, p, sizeof(v));
	return be32toh(v);
}

/* Check the decoded body b and fill *k from it; 0, or -1 with *errp. */
static int
keyfile_fields(const uint8_t *b, struct credential_key *k, char **errp)
{
	if (b[0] != KEYFILE_VERSION) {
		*errp = xasprintf("not a key file: version %u, expected %u",
		    b[0], KEYFILE_VERSION);
		return -1;
	}
	if (b[1] != CREDENTIAL_KDF_PBKDF2) {
		*errp = xasprintf("not a key file: unknown key derivation "
		    "function %u", b[1]);
		return -1;
	}
	k->kdf = b[1];
	k->iterations = keyfile_get32(b + 2);
	if (k->iterations < CREDENTIAL_ITER_MIN ||
	    k->iterations > CREDENTIAL_ITER_MAX) {
		*errp = xasprintf("not a key file: %u iterations is outside "
		    "%u..%u", k->iterations, CREDENTIAL_ITER_MIN,
		    CREDENTIAL_ITER_MAX);
		return -1;
	}
	k->keyid = keyfile_get32(b + 6);
	memcpy(k->salt, b + KEYFILE_SALTOFF, CREDENTIAL_SALTLEN);
	memcpy(k->key, b + KEYFILE_KEYOFF, CREDENTIAL_KEYLEN);
	return 0;
}

int
keyfile_parse(const char *text, size_t len, struct credential_key *k,
    char **errp)
{
	uint8_t	*b = NULL;
	char	*err = NULL;
	size_t	 blen = 0;
	int	 rv = -1;

	explicit_bzero(k, sizeof(*k));
	if (len > 0 && text[len - 1] == '\n') {
		len--;
		if (len > 0 && text[len - 1] == '\r')
			len--;
	}
	if (len < KEYFILE_PREFIXLEN ||
	    memcmp(text, KEYFILE_PREFIX, KEYFILE_PREFIXLEN) != 0) {
		*errp = xasprintf("not a key file: it does not start with "
		    "\"%s\"", KEYFILE_PREFIX);
		return -1;
	}
	if (base64_decode(text + KEYFILE_PREFIXLEN, len - KEYFILE_PREFIXLEN,
	    &b, &blen, &err) == -1) {
		*errp = xasprintf("not a key file: %s", err);
		free(err);
		return -1;
	}
	if (blen != KEYFILE_BODYLEN)
		*errp = xasprintf("not a key file: %zu bytes, expected %d",
		    blen, KEYFILE_BODYLEN);
	else
		rv = keyfile_fields(b, k, errp);
	freezero(b, blen + 1);
	if (rv == -1)
		explicit_bzero(k, sizeof(*k));
	return rv;
}

char *
keyfile_format(const struct credential_key *k)
{
	uint8_t		 b[KEYFILE_BODYLEN];
	uint32_t	 be;
	char		*b64, *text;

	b[0] = KEYFILE_VERSION;
	b[1] = (uint8_t)k->kdf;
	be = htobe32(k->iterations);
	memcpy(b + 2, &be, sizeof(be));
	be = htobe32(k->keyid);
	memcpy(b + 6, &be, sizeof(be));
	memcpy(b + KEYFILE_SALTOFF, k->salt, CREDENTIAL_SALTLEN);
	memcpy(b + KEYFILE_KEYOFF, k->key, CREDENTIAL_KEYLEN);
	b64 = base64_encode(b, sizeof(b));
	explicit_bzero(b, sizeof(b));
	text = xasprintf("%s%s\n", KEYFILE_PREFIX, b64);
	xfreezero_str(b64);
	return text;
}

int
keyfile_read(const char *path, struct credential_key *k, char **errp)
{
	char	 buf[KEYFILE_MAXREAD];
	char	*err = NULL;
	ssize_t	 n;
	int	 rv = -1;

	explicit_bzero(k, sizeof(*k));
	if ((n = passkey_read_private(path, "key file", buf, sizeof(buf),
	    errp)) == -1)
		goto out;
	if ((size_t)n == sizeof(buf)) {
		*errp = xasprintf("key file \"%s\": not a key file: too long",
		    path);
		goto out;
	}
	if (keyfile_parse(buf, (size_t)n, k, &err) == -1) {
		*errp = xasprintf("key file \"%s\": %s", path, err);
		free(err);
		goto out;
	}
	rv = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	return rv;
}

int
keyfile_write(const char *path, const struct credential_key *k, bool force,
    char **errp)
{
	struct stat	 st;
	char		*text, *err = NULL;
	int		 rv;

	if (!force && lstat(path, &st) == 0) {
		*errp = xasprintf("key file \"%s\" exists (--force replaces "
		    "it)", path);
		return -1;
	}
	if (!force && errno != ENOENT) {
		*errp = xasprintf("could not stat key file \"%s\": %s", path,
		    strerror(errno));
		return -1;
	}
	text = keyfile_format(k);
	rv = fileio_write_atomic(path, text, strlen(text), 0600, &err);
	xfreezero_str(text);
	if (rv == -1) {
		*errp = xasprintf("key file: %s", err);
		free(err);
	}
	return rv;
}
