/* base64.h: strict base64 (RFC 4648 standard alphabet, with padding). */
#ifndef DF_BASE64_H
#define DF_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Return the length of the encoding of n bytes, padding included, no NUL. */
size_t	 base64_encoded_len(size_t n);
/*
 * Return the NUL-terminated encoding of the n bytes at src, owned by the
 * caller (free it, or freezero it when src was a secret).
 */
char	*base64_encode(const void *src, size_t n);
/*
 * Decode the srclen characters at src, which must be canonical base64: the
 * standard alphabet only, no whitespace (not even a trailing newline: strip
 * it first), a length that is a multiple of 4, at most two '=' at the end,
 * and zero unused bits before the padding. Return 0 with *dstp (a buffer
 * of *lenp bytes plus a NUL, owned by the caller) or -1 with *errp = "invalid
 * base64: ..." (owned by the caller) and *dstp untouched.
 */
int	 base64_decode(const char *src, size_t srclen, uint8_t **dstp,
	    size_t *lenp, char **errp);

#endif
