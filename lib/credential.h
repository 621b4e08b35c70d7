/* credential.h: encrypt and decrypt secrets with a passkey (AES-256-GCM). */
#ifndef DF_CREDENTIAL_H
#define DF_CREDENTIAL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Two formats (cryptor(1) describes them byte by byte):
 * ODF	OpenDataFlow's: base64(IV[12] || AES-256-GCM(plaintext) || tag[16]),
 *	key = first 32 bytes of SHA-512(passkey), no salt, no AAD.
 * DF1	"df1:" base64(header[38] || AES-256-GCM(plaintext) || tag[16]), the
 *	header holding version, KDF, iterations, key id, salt and IV; key =
 *	PBKDF2-HMAC-SHA256(passkey, salt, iterations); AAD = "df1:" || header.
 */
enum credential_format {
	CREDENTIAL_UNKNOWN = 0,
	CREDENTIAL_ODF,
	CREDENTIAL_DF1
};

#define CREDENTIAL_DF1_PREFIX	"df1:"
#define CREDENTIAL_SALTLEN	16
#define CREDENTIAL_IVLEN	12
#define CREDENTIAL_TAGLEN	16
#define CREDENTIAL_KEYLEN	32
#define CREDENTIAL_MAXPLAIN	65536	/* longest plaintext, bytes */

/*
 * PBKDF2-HMAC-SHA256 iterations: the default, and the range accepted, in
 * what is written and in what is read. The count is read from the
 * ciphertext before it is authenticated: whoever can write a ciphertext
 * (the database) chooses the work its reader does, so the top is ten times
 * the default (0.2 s where the default takes 19 ms), not PBKDF2's limit.
 */
#define CREDENTIAL_ITER_DEFAULT	100000
#define CREDENTIAL_ITER_MIN	10000
#define CREDENTIAL_ITER_MAX	(10 * CREDENTIAL_ITER_DEFAULT)
#define CREDENTIAL_KEYID_DEFAULT 1
#define CREDENTIAL_KDF_PBKDF2	1	/* the df1 header's KDF byte */

/*
 * What credential_decrypt() returns: success; not a ciphertext (of a known
 * format); wrong passkey or damaged ciphertext; the crypto library failed.
 */
#define CREDENTIAL_OK		0
#define CREDENTIAL_EFORMAT	(-1)
#define CREDENTIAL_EAUTH	(-2)
#define CREDENTIAL_ESYS		(-3)
#define CREDENTIAL_ENOKEY	(-4)	/* credential_decrypt_key: the
					   ciphertext is not under that key */

/* What credential_inspect() tells without the passkey. */
struct credential_info {
	enum credential_format	 format;
	size_t			 plainlen;	/* length of the plaintext */
	/* DF1 only (zero for ODF): */
	unsigned		 kdf;		/* 1: PBKDF2-HMAC-SHA256 */
	uint32_t		 iterations;
	uint32_t		 keyid;
	uint8_t			 salt[CREDENTIAL_SALTLEN];
};

/*
 * A df1 key derived once, and what it was derived for: the df1 ciphertexts
 * whose header has this KDF, iteration count, key id and salt are under it
 * (if the passkey has not changed since). As secret as the passkey.
 */
struct credential_key {
	unsigned		 kdf;
	uint32_t		 iterations;
	uint32_t		 keyid;
	uint8_t			 salt[CREDENTIAL_SALTLEN];
	uint8_t			 key[CREDENTIAL_KEYLEN];
};

/*
 * A passkey (or several, by key id) and the keys derived from it, cached
 * per (passkey, iterations, salt) so that ciphertexts sharing a salt cost
 * one key derivation per process. New DF1 ciphertexts are written with the
 * primary passkey, under its key id, all with one salt per keyring.
 */
struct credential_keyring;

/*
 * Return a keyring whose primary passkey is the len bytes at passkey (they
 * are copied; the caller wipes its own copy), key id 1; the caller frees it
 * with credential_keyring_free().
 */
struct credential_keyring *credential_keyring_new(const void *passkey,
		    size_t len);
/* Wipe and free kr; NULL is a no-op. */
void		 credential_keyring_free(struct credential_keyring *kr);
/* Set the key id of the primary passkey, written into new DF1 ciphertexts. */
void		 credential_keyring_set_keyid(struct credential_keyring *kr,
		    uint32_t keyid);
/*
 * Add an older passkey, used for DF1 ciphertexts that carry its key id
 * (others use the primary one). Return 0, or -1 with *errp (caller frees)
 * when keyid is already taken.
 */
int		 credential_keyring_add(struct credential_keyring *kr,
		    uint32_t keyid, const void *passkey, size_t len,
		    char **errp);
/*
 * Set the PBKDF2 iterations of new DF1 ciphertexts (default 100000).
 * Return 0, or -1 with *errp (caller frees) when out of range.
 */
int		 credential_keyring_set_iterations(
		    struct credential_keyring *kr, uint32_t iterations,
		    char **errp);
/*
 * Write new DF1 ciphertexts with the salt and iterations of the DF1
 * ciphertext given, so that a reader of both derives one key. Return 0, or
 * -1 with *errp (caller frees) when it is not a DF1 ciphertext.
 */
int		 credential_keyring_use_salt_of(struct credential_keyring *kr,
		    const char *ciphertext, char **errp);
/* Return how many key derivations (PBKDF2 runs) kr has done so far. */
unsigned long	 credential_keyring_derivations(
		    const struct credential_keyring *kr);

/*
 * Encrypt the len bytes at plaintext in format (ODF or DF1) with the
 * primary passkey. Return 0 with *outp, a NUL-terminated ciphertext owned
 * by the caller, or -1 with *errp (caller frees).
 */
int		 credential_encrypt(struct credential_keyring *kr,
		    enum credential_format format, const void *plaintext,
		    size_t len, char **outp, char **errp);
/*
 * Decrypt ciphertext, in either format (found from its text); one trailing
 * newline ("\n" or "\r\n") is ignored. Return CREDENTIAL_OK with *plainp,
 * the plaintext and a NUL, owned by the caller, who must wipe it when done
 * (freezero(*plainp, *lenp + 1), or xfreezero_str() if it holds no NUL),
 * and *lenp its length (lenp may be NULL). Or return CREDENTIAL_EFORMAT,
 * CREDENTIAL_EAUTH or CREDENTIAL_ESYS with *errp (caller frees), a one-line
 * message, and *plainp untouched: no plaintext ever leaves on failure.
 */
int		 credential_decrypt(struct credential_keyring *kr,
		    const char *ciphertext, char **plainp, size_t *lenp,
		    char **errp);
/*
 * Fill *k with the key of the df1 ciphertext given, derived with kr as
 * credential_decrypt would and proved by decrypting the ciphertext with it
 * (the plaintext is wiped at once). Return CREDENTIAL_OK (the caller wipes
 * *k), or as credential_decrypt with *errp (caller frees) and *k wiped;
 * an odf ciphertext is CREDENTIAL_EFORMAT, having no salt.
 */
int		 credential_key_of(struct credential_keyring *kr,
		    const char *ciphertext, struct credential_key *k,
		    char **errp);
/*
 * Decrypt ciphertext as credential_decrypt does, with k alone: no passkey,
 * no derivation. Return as credential_decrypt, or CREDENTIAL_ENOKEY with
 * *errp (caller frees) when ciphertext is not under k: odf, or a df1 whose
 * KDF, iteration count, key id or salt differ from k's.
 */
int		 credential_decrypt_key(const struct credential_key *k,
		    const char *ciphertext, char **plainp, size_t *lenp,
		    char **errp);
/*
 * Parse what can be known of ciphertext without a passkey. Return 0 with
 * *info filled, or CREDENTIAL_EFORMAT with *errp (caller frees).
 */
int		 credential_inspect(const char *ciphertext,
		    struct credential_info *info, char **errp);
/* Return the format of ciphertext, or CREDENTIAL_UNKNOWN if neither. */
enum credential_format credential_format_of(const char *ciphertext);
/* Return the name of format ("odf", "df1" or "unknown"), static. */
const char	*credential_format_name(enum credential_format format);
/* Return the format named name ("odf", "df1"), or CREDENTIAL_UNKNOWN. */
enum credential_format credential_format_from_name(const char *name);

#endif
