/* credential.c: OpenDataFlow's and dataflow's own (df1) secret formats. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "base64.h"
#include "credential.h"
#include "xmalloc.h"

/*
 * The df1 header, in front of the GCM ciphertext and tag:
 *	0	1	version (1)
 *	1	1	KDF (1 = PBKDF2-HMAC-SHA256)
 *	2	4	iterations, big-endian
 *	6	4	key id, big-endian
 *	10	16	salt
 *	26	12	IV
 */
#define DF1_VERSION	1
#define DF1_KDF_PBKDF2	CREDENTIAL_KDF_PBKDF2
#define DF1_SALTOFF	10
#define DF1_IVOFF	26
#define DF1_HDRLEN	38
#define DF1_PREFIXLEN	(sizeof(CREDENTIAL_DF1_PREFIX) - 1)
#define DF1_MINLEN	(DF1_HDRLEN + CREDENTIAL_TAGLEN)
#define ODF_MINLEN	(CREDENTIAL_IVLEN + CREDENTIAL_TAGLEN)

#define CREDENTIAL_AUTHMSG	"wrong passkey or damaged ciphertext"

struct credential_pk {
	struct credential_pk	*next;
	uint32_t		 keyid;
	int			 has_odfkey;
	uint8_t			 odfkey[CREDENTIAL_KEYLEN];
	size_t			 len;
	uint8_t			 bytes[];	/* the passkey, len bytes */
};

struct credential_dkey {
	struct credential_dkey		*next;
	const struct credential_pk	*pk;
	uint32_t			 iterations;
	uint8_t				 salt[CREDENTIAL_SALTLEN];
	uint8_t				 key[CREDENTIAL_KEYLEN];
};

struct credential_keyring {
	struct credential_pk	*pks;		/* the first is the primary */
	struct credential_dkey	*dkeys;		/* derived keys, cached */
	unsigned long		 nderive;
	uint32_t		 wr_iterations;
	int			 wr_salted;	/* wr_salt drawn or adopted */
	uint8_t			 wr_salt[CREDENTIAL_SALTLEN];
};

/* A ciphertext taken apart; the pointers are into buf. */
struct credential_parsed {
	enum credential_format	 format;
	uint8_t			*buf;		/* the decoded bytes */
	size_t			 buflen;
	const uint8_t		*hdr;		/* df1 only */
	unsigned		 kdf;
	uint32_t		 iterations;
	uint32_t		 keyid;
	const uint8_t		*salt;
	const uint8_t		*iv;
	const uint8_t		*ct;
	size_t			 ctlen;
	const uint8_t		*tag;
};

/* Return the message for the last OpenSSL error, for what failed. */
static char *
credential_sslerr(const char *what)
{
	unsigned long	 e;
	const char	*reason;
	char		 buf[256];

	e = ERR_get_error();
	ERR_clear_error();
	if (e == 0)
		return xasprintf("%s failed", what);
	if ((reason = ERR_reason_error_string(e)) != NULL)
		return xasprintf("%s: %s", what, reason);
	ERR_error_string_n(e, buf, sizeof(buf));
	return xasprintf("%s: %s", what, buf);
}

static void
credential_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t
credential_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static struct credential_pk *
credential_pk_new(uint32_t keyid, const void *passkey, size_t len)
{
	struct credential_pk	*pk;

	pk = xcalloc(1, sizeof(*pk) + len + 1);
	pk->keyid = keyid;
	pk->len = len;
	if (len > 0)
		memcpy(pk->bytes, passkey, len);
	return pk;
}

struct credential_keyring *
credential_keyring_new(const void *passkey, size_t len)
{
	struct credential_keyring	*kr;

	kr = xcalloc(1, sizeof(*kr));
	kr->pks = credential_pk_new(CREDENTIAL_KEYID_DEFAULT, passkey, len);
	kr->wr_iterations = CREDENTIAL_ITER_DEFAULT;
	return kr;
}

void
credential_keyring_free(struct credential_keyring *kr)
{
	struct credential_pk	*pk;
	struct credential_dkey	*dk;

	if (kr == NULL)
		return;
	while ((pk = kr->pks) != NULL) {
		kr->pks = pk->next;
		freezero(pk, sizeof(*pk) + pk->len + 1);
	}
	while ((dk = kr->dkeys) != NULL) {
		kr->dkeys = dk->next;
		freezero(dk, sizeof(*dk));
	}
	freezero(kr, sizeof(*kr));
}

void
credential_keyring_set_keyid(struct credential_keyring *kr, uint32_t keyid)
{
	kr->pks->keyid = keyid;
}

int
credential_keyring_add(struct credential_keyring *kr, uint32_t keyid,
    const void *passkey, size_t len, char **errp)
{
	struct credential_pk	*pk;

	for (pk = kr->pks; pk != NULL; pk = pk->next) {
		if (pk->keyid == keyid) {
			*errp = xasprintf("key id %u is already in the keyring",
			    keyid);
			return -1;
		}
	}
	pk = credential_pk_new(keyid, passkey, len);
	/* kr->pks, the primary passkey, is never NULL (keyring_new). */
	/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
	pk->next = kr->pks->next;
	kr->pks->next = pk;
	return 0;
}

int
credential_keyring_set_iterations(struct credential_keyring *kr,
    uint32_t iterations, char **errp)
{
	if (iterations < CREDENTIAL_ITER_MIN ||
	    iterations > CREDENTIAL_ITER_MAX) {
		*errp = xasprintf("%u iterations is outside %u..%u", iterations,
		    CREDENTIAL_ITER_MIN, CREDENTIAL_ITER_MAX);
		return -1;
	}
	kr->wr_iterations = iterations;
	return 0;
}

unsigned long
credential_keyring_derivations(const struct credential_keyring *kr)
{
	return kr->nderive;
}

/* Return the ODF key of pk: the first 32 bytes of SHA-512(passkey). */
static const uint8_t *
credential_odfkey(struct credential_pk *pk, char **errp)
{
	uint8_t		 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;

	if (pk->has_odfkey)
		return pk->odfkey;
	if (!EVP_Digest(pk->bytes, pk->len, md, &mdlen, EVP_sha512(), NULL) ||
	    mdlen < CREDENTIAL_KEYLEN) {
		explicit_bzero(md, sizeof(md));
		*errp = credential_sslerr("SHA-512");
		return NULL;
	}
	memcpy(pk->odfkey, md, CREDENTIAL_KEYLEN);
	explicit_bzero(md, sizeof(md));
	pk->has_odfkey = 1;
	return pk->odfkey;
}

/* Return the df1 key of pk for (iterations, salt), deriving it once. */
static const uint8_t *
credential_dkey(struct credential_keyring *kr, const struct credential_pk *pk,
    uint32_t iterations, const uint8_t *salt, char **errp)
{
	struct credential_dkey	*dk;

	for (dk = kr->dkeys; dk != NULL; dk = dk->next) {
		if (dk->pk == pk && dk->iterations == iterations &&
		    memcmp(dk->salt, salt, CREDENTIAL_SALTLEN) == 0)
			return dk->key;
	}
	if (pk->len > INT_MAX || iterations > INT_MAX) {
		*errp = xasprintf("passkey or iteration count too large");
		return NULL;
	}
	dk = xcalloc(1, sizeof(*dk));
	if (!PKCS5_PBKDF2_HMAC((const char *)pk->bytes, (int)pk->len, salt,
	    CREDENTIAL_SALTLEN, (int)iterations, EVP_sha256(),
	    CREDENTIAL_KEYLEN, dk->key)) {
		freezero(dk, sizeof(*dk));
		*errp = credential_sslerr("PBKDF2");
		return NULL;
	}
	kr->nderive++;
	dk->pk = pk;
	dk->iterations = iterations;
	memcpy(dk->salt, salt, CREDENTIAL_SALTLEN);
	dk->next = kr->dkeys;
	kr->dkeys = dk;
	return dk->key;
}

/*
 * AES-256-GCM over the len bytes at in into out (len bytes too), with the
 * AAD given. Encrypting writes the tag; decrypting checks it. Return
 * CREDENTIAL_OK, CREDENTIAL_EAUTH (tag mismatch) or CREDENTIAL_ESYS.
 */
static int
credential_gcm(int encrypt, const uint8_t *key, const uint8_t *iv,
    const uint8_t *aad, size_t aadlen, const uint8_t *in, size_t len,
    uint8_t *out, uint8_t *tag, char **errp)
{
	EVP_CIPHER_CTX	*ctx;
	int		 n, rv = CREDENTIAL_ESYS;

	if (len > INT_MAX || aadlen > INT_MAX) {
		*errp = xasprintf("AES-256-GCM: input too long");
		return CREDENTIAL_ESYS;
	}
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL) {
		*errp = credential_sslerr("EVP_CIPHER_CTX_new");
		return CREDENTIAL_ESYS;
	}
	if (!EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL,
	    encrypt) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN,
	    CREDENTIAL_IVLEN, NULL) ||
	    !EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, encrypt)) {
		*errp = credential_sslerr("AES-256-GCM setup");
		goto out;
	}
	if (aadlen > 0 && !EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aadlen)) {
		*errp = credential_sslerr("AES-256-GCM");
		goto out;
	}
	n = 0;
	if (len > 0 && !EVP_CipherUpdate(ctx, out, &n, in, (int)len)) {
		*errp = credential_sslerr("AES-256-GCM");
		goto out;
	}
	if (!encrypt && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
	    CREDENTIAL_TAGLEN, tag)) {
		*errp = credential_sslerr("AES-256-GCM tag");
		goto out;
	}
	if (EVP_CipherFinal_ex(ctx, out + n, &n) <= 0) {
		if (encrypt) {
			*errp = credential_sslerr("AES-256-GCM");
			goto out;
		}
		/* Not an error of the library: the tag did not match. */
		ERR_clear_error();
		*errp = xstrdup(CREDENTIAL_AUTHMSG);
		rv = CREDENTIAL_EAUTH;
		goto out;
	}
	if (encrypt && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
	    CREDENTIAL_TAGLEN, tag)) {
		*errp = credential_sslerr("AES-256-GCM tag");
		goto out;
	}
	rv = CREDENTIAL_OK;
out:
	if (rv != CREDENTIAL_OK)
		explicit_bzero(out, len);
	EVP_CIPHER_CTX_free(ctx);
	return rv;
}

/* Return the length of ciphertext without one trailing "\n" or "\r\n". */
static size_t
credential_trimlen(const char *ciphertext)
{
	size_t	 len = strlen(ciphertext);

	if (len > 0 && ciphertext[len - 1] == '\n') {
		len--;
		if (len > 0 && ciphertext[len - 1] == '\r')
			len--;
	}
	return len;
}

/* Return whether text starts with "df" digits ":", a versioned format. */
static int
credential_is_versioned(const char *text, size_t len)
{
	size_t	 i;

	if (len < 4 || text[0] != 'd' || text[1] != 'f')
		return 0;
	for (i = 2; i < len && text[i] >= '0' && text[i] <= '9'; i++)
		continue;
	return i > 2 && i < len && text[i] == ':';
}

/*
 * Decode the base64 body of a ciphertext into p->buf, refusing it (with a
 * message that starts with what) unless it decodes to minlen bytes or more.
 */
static int
credential_decode(const char *text, size_t len, size_t minlen,
    const char *what, struct credential_parsed *p, char **errp)
{
	char	*err = NULL;

	if (len > base64_encoded_len(minlen + CREDENTIAL_MAXPLAIN)) {
		*errp = xasprintf("%s: too long", what);
		return -1;
	}
	if (base64_decode(text, len, &p->buf, &p->buflen, &err) == -1) {
		*errp = xasprintf("%s: %s", what, err);
		free(err);
		return -1;
	}
	if (p->buflen < minlen) {
		*errp = xasprintf("%s: too short (%zu bytes, at least %zu)",
		    what, p->buflen, minlen);
		free(p->buf);
		p->buf = NULL;
		return -1;
	}
	return 0;
}

/*
 * Take ciphertext apart without decrypting it. Return CREDENTIAL_OK with
 * *p filled (free p->buf), or CREDENTIAL_EFORMAT with *errp.
 */
static int
credential_parse(const char *ciphertext, struct credential_parsed *p,
    char **errp)
{
	const uint8_t	*h;
	size_t		 len;

	memset(p, 0, sizeof(*p));
	len = credential_trimlen(ciphertext);
	if (!credential_is_versioned(ciphertext, len)) {
		p->format = CREDENTIAL_ODF;
		if (credential_decode(ciphertext, len, ODF_MINLEN,
		    "not a ciphertext", p, errp) == -1)
			return CREDENTIAL_EFORMAT;
		p->iv = p->buf;
		p->ct = p->iv + CREDENTIAL_IVLEN;
		p->ctlen = p->buflen - ODF_MINLEN;
		p->tag = p->ct + p->ctlen;
		return CREDENTIAL_OK;
	}
	if (strncmp(ciphertext, CREDENTIAL_DF1_PREFIX, DF1_PREFIXLEN) != 0) {
		*errp = xasprintf("not a ciphertext: unknown format \"%.*s\"",
		    (int)(strchr(ciphertext, ':') - ciphertext), ciphertext);
		return CREDENTIAL_EFORMAT;
	}
	p->format = CREDENTIAL_DF1;
	if (credential_decode(ciphertext + DF1_PREFIXLEN, len - DF1_PREFIXLEN,
	    DF1_MINLEN, "not a df1 ciphertext", p, errp) == -1)
		return CREDENTIAL_EFORMAT;
	h = p->hdr = p->buf;
	p->kdf = h[1];
	p->iterations = credential_get32(h + 2);
	if (h[0] != DF1_VERSION) {
		*errp = xasprintf("not a df1 ciphertext: header version %u, "
		    "expected %u", h[0], DF1_VERSION);
		goto fail;
	}
	if (p->kdf != DF1_KDF_PBKDF2) {
		*errp = xasprintf("not a df1 ciphertext: unknown key "
		    "derivation function %u", p->kdf);
		goto fail;
	}
	/* Read before it is authenticated: bound the work it can ask. */
	if (p->iterations > CREDENTIAL_ITER_MAX) {
		*errp = xasprintf("df1 ciphertext asks for %u PBKDF2 "
		    "iterations, more than the %u accepted", p->iterations,
		    CREDENTIAL_ITER_MAX);
		goto fail;
	}
	if (p->iterations < CREDENTIAL_ITER_MIN) {
		*errp = xasprintf("not a df1 ciphertext: %u iterations is "
		    "outside %u..%u", p->iterations, CREDENTIAL_ITER_MIN,
		    CREDENTIAL_ITER_MAX);
		goto fail;
	}
	p->keyid = credential_get32(h + 6);
	p->salt = h + DF1_SALTOFF;
	p->iv = h + DF1_IVOFF;
	p->ct = h + DF1_HDRLEN;
	p->ctlen = p->buflen - DF1_MINLEN;
	p->tag = p->ct + p->ctlen;
	return CREDENTIAL_OK;
fail:
	free(p->buf);
	p->buf = NULL;
	return CREDENTIAL_EFORMAT;
}

int
credential_inspect(const char *ciphertext, struct credential_info *info,
    char **errp)
{
	struct credential_parsed	 p;

	if (credential_parse(ciphertext, &p, errp) != CREDENTIAL_OK)
		return CREDENTIAL_EFORMAT;
	memset(info, 0, sizeof(*info));
	info->format = p.format;
	info->plainlen = p.ctlen;
	if (p.format == CREDENTIAL_DF1) {
		info->kdf = p.kdf;
		info->iterations = p.iterations;
		info->keyid = p.keyid;
		memcpy(info->salt, p.salt, CREDENTIAL_SALTLEN);
	}
	free(p.buf);
	return CREDENTIAL_OK;
}

enum credential_format
credential_format_of(const char *ciphertext)
{
	struct credential_info	 info;
	char			*err = NULL;

	if (credential_inspect(ciphertext, &info, &err) != CREDENTIAL_OK) {
		free(err);
		return CREDENTIAL_UNKNOWN;
	}
	return info.format;
}

const char *
credential_format_name(enum credential_format format)
{
	switch (format) {
	case CREDENTIAL_ODF:
		return "odf";
	case CREDENTIAL_DF1:
		return "df1";
	default:
		return "unknown";
	}
}

enum credential_format
credential_format_from_name(const char *name)
{
	if (strcmp(name, "odf") == 0)
		return CREDENTIAL_ODF;
	if (strcmp(name, "df1") == 0)
		return CREDENTIAL_DF1;
	return CREDENTIAL_UNKNOWN;
}

int
credential_keyring_use_salt_of(struct credential_keyring *kr,
    const char *ciphertext, char **errp)
{
	struct credential_info	 info;

	if (credential_inspect(ciphertext, &info, errp) != CREDENTIAL_OK)
		return -1;
	if (info.format != CREDENTIAL_DF1) {
		*errp = xasprintf("not a df1 ciphertext: it has no salt");
		return -1;
	}
	memcpy(kr->wr_salt, info.salt, CREDENTIAL_SALTLEN);
	kr->wr_iterations = info.iterations;
	kr->wr_salted = 1;
	return 0;
}

/* Fill aad with what df1 authenticates besides the ciphertext. */
static void
credential_df1_aad(uint8_t aad[DF1_PREFIXLEN + DF1_HDRLEN],
    const uint8_t *hdr)
{
	memcpy(aad, CREDENTIAL_DF1_PREFIX, DF1_PREFIXLEN);
	memcpy(aad + DF1_PREFIXLEN, hdr, DF1_HDRLEN);
}

/* Return the passkey for a df1 key id: its own, else the primary one. */
static struct credential_pk *
credential_pk_for(struct credential_keyring *kr, uint32_t keyid)
{
	struct credential_pk	*pk;

	for (pk = kr->pks; pk != NULL; pk = pk->next) {
		if (pk->keyid == keyid)
			return pk;
	}
	return kr->pks;
}

/*
 * Decrypt the parsed ciphertext p with key. Return CREDENTIAL_OK with
 * *plainp (and *lenp when not NULL), or as credential_gcm with *errp.
 */
static int
credential_open(const struct credential_parsed *p, const uint8_t *key,
    char **plainp, size_t *lenp, char **errp)
{
	uint8_t		 aad[DF1_PREFIXLEN + DF1_HDRLEN];
	uint8_t		 tag[CREDENTIAL_TAGLEN];
	uint8_t		*plain;
	size_t		 aadlen = 0;
	int		 rv;

	if (p->format == CREDENTIAL_DF1) {
		credential_df1_aad(aad, p->hdr);
		aadlen = sizeof(aad);
	}
	/* A copy: OpenSSL wants a tag it may write to. */
	memcpy(tag, p->tag, sizeof(tag));
	plain = xmalloc(p->ctlen + 1);
	rv = credential_gcm(0, key, p->iv, aad, aadlen, p->ct, p->ctlen,
	    plain, tag, errp);
	if (rv != CREDENTIAL_OK) {
		freezero(plain, p->ctlen + 1);
		return rv;
	}
	plain[p->ctlen] = '\0';
	*plainp = (char *)plain;
	if (lenp != NULL)
		*lenp = p->ctlen;
	return CREDENTIAL_OK;
}

int
credential_decrypt(struct credential_keyring *kr, const char *ciphertext,
    char **plainp, size_t *lenp, char **errp)
{
	struct credential_parsed	 p;
	struct credential_pk		*pk;
	const uint8_t			*key;
	int				 rv;

	if ((rv = credential_parse(ciphertext, &p, errp)) != CREDENTIAL_OK)
		return rv;
	if (p.format == CREDENTIAL_DF1) {
		pk = credential_pk_for(kr, p.keyid);
		key = credential_dkey(kr, pk, p.iterations, p.salt, errp);
	} else {
		pk = kr->pks;
		key = credential_odfkey(pk, errp);
	}
	if (key == NULL) {
		free(p.buf);
		return CREDENTIAL_ESYS;
	}
	rv = credential_open(&p, key, plainp, lenp, errp);
	if (rv == CREDENTIAL_EAUTH && p.format == CREDENTIAL_DF1 &&
	    pk->keyid != p.keyid) {
		free(*errp);
		*errp = xasprintf("%s (it is under key id %u, the passkey has "
		    "key id %u)", CREDENTIAL_AUTHMSG, p.keyid, pk->keyid);
	}
	free(p.buf);
	return rv;
}

int
credential_key_of(struct credential_keyring *kr, const char *ciphertext,
    struct credential_key *k, char **errp)
{
	struct credential_parsed	 p;
	const uint8_t			*key;
	char				*plain = NULL;
	size_t				 len = 0;
	int				 rv;

	explicit_bzero(k, sizeof(*k));
	if ((rv = credential_parse(ciphertext, &p, errp)) != CREDENTIAL_OK)
		return rv;
	if (p.format != CREDENTIAL_DF1) {
		*errp = xasprintf("not a df1 ciphertext: it has no salt");
		rv = CREDENTIAL_EFORMAT;
		goto out;
	}
	/* The key is proved before it is kept: a wrong passkey fails here. */
	if ((rv = credential_decrypt(kr, ciphertext, &plain, &len,
	    errp)) != CREDENTIAL_OK)
		goto out;
	freezero(plain, len + 1);
	/* Derived by the decryption: this finds it in the cache. */
	key = credential_dkey(kr, credential_pk_for(kr, p.keyid),
	    p.iterations, p.salt, errp);
	if (key == NULL) {
		rv = CREDENTIAL_ESYS;
		goto out;
	}
	k->kdf = p.kdf;
	k->iterations = p.iterations;
	k->keyid = p.keyid;
	memcpy(k->salt, p.salt, CREDENTIAL_SALTLEN);
	memcpy(k->key, key, CREDENTIAL_KEYLEN);
out:
	free(p.buf);
	return rv;
}

int
credential_decrypt_key(const struct credential_key *k,
    const char *ciphertext, char **plainp, size_t *lenp, char **errp)
{
	struct credential_parsed	 p;
	int				 rv;

	if ((rv = credential_parse(ciphertext, &p, errp)) != CREDENTIAL_OK)
		return rv;
	if (p.format != CREDENTIAL_DF1 || p.kdf != k->kdf ||
	    p.iterations != k->iterations || p.keyid != k->keyid ||
	    memcmp(p.salt, k->salt, CREDENTIAL_SALTLEN) != 0) {
		*errp = xasprintf("not under this key (%s)",
		    p.format != CREDENTIAL_DF1 ? "an odf ciphertext" :
		    "another salt, iteration count or key id");
		free(p.buf);
		return CREDENTIAL_ENOKEY;
	}
	rv = credential_open(&p, k->key, plainp, lenp, errp);
	free(p.buf);
	return rv;
}

/* Return random bytes in buf, or -1 with *errp. */
static int
credential_random(uint8_t *buf, size_t len, char **errp)
{
	if (len > INT_MAX || RAND_bytes(buf, (int)len) != 1) {
		*errp = credential_sslerr("RAND_bytes");
		return -1;
	}
	return 0;
}

int
credential_encrypt(struct credential_keyring *kr,
    enum credential_format format, const void *plaintext, size_t len,
    char **outp, char **errp)
{
	const uint8_t	*key;
	uint8_t		 aad[DF1_PREFIXLEN + DF1_HDRLEN];
	uint8_t		*buf, *iv;
	char		*b64;
	size_t		 hdrlen, aadlen = 0, total;
	int		 rv = -1;

	if (format != CREDENTIAL_ODF && format != CREDENTIAL_DF1) {
		*errp = xasprintf("unknown ciphertext format %d", (int)format);
		return -1;
	}
	if (len > CREDENTIAL_MAXPLAIN) {
		*errp = xasprintf("plaintext too long (%zu bytes, at most %d)",
		    len, CREDENTIAL_MAXPLAIN);
		return -1;
	}
	hdrlen = format == CREDENTIAL_DF1 ? DF1_HDRLEN : CREDENTIAL_IVLEN;
	total = hdrlen + len + CREDENTIAL_TAGLEN;
	buf = xcalloc(1, total);
	iv = format == CREDENTIAL_DF1 ? buf + DF1_IVOFF : buf;
	if (credential_random(iv, CREDENTIAL_IVLEN, errp) == -1)
		goto out;
	if (format == CREDENTIAL_ODF)
		key = credential_odfkey(kr->pks, errp);
	else {
		if (!kr->wr_salted) {
			if (credential_random(kr->wr_salt, CREDENTIAL_SALTLEN,
			    errp) == -1)
				goto out;
			kr->wr_salted = 1;
		}
		buf[0] = DF1_VERSION;
		buf[1] = DF1_KDF_PBKDF2;
		credential_put32(buf + 2, kr->wr_iterations);
		credential_put32(buf + 6, kr->pks->keyid);
		memcpy(buf + DF1_SALTOFF, kr->wr_salt, CREDENTIAL_SALTLEN);
		credential_df1_aad(aad, buf);
		aadlen = sizeof(aad);
		key = credential_dkey(kr, kr->pks, kr->wr_iterations,
		    kr->wr_salt, errp);
	}
	if (key == NULL)
		goto out;
	if (credential_gcm(1, key, iv, aad, aadlen, plaintext, len,
	    buf + hdrlen, buf + hdrlen + len, errp) != CREDENTIAL_OK)
		goto out;
	b64 = base64_encode(buf, total);
	*outp = xasprintf("%s%s", format == CREDENTIAL_DF1 ?
	    CREDENTIAL_DF1_PREFIX : "", b64);
	free(b64);
	rv = 0;
out:
	free(buf);
	return rv;
}
