/* base64.c: strict base64; non-canonical input is refused, not repaired. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "xmalloc.h"

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
base64_encoded_len(size_t n)
{
	return (n / 3 + (n % 3 != 0)) * 4;
}

char *
base64_encode(const void *src, size_t n)
{
	const uint8_t	*in = src;
	char		*out, *p;
	uint32_t	 v;
	size_t		 i;

	/* xcalloc checks the multiplication for overflow. */
	out = xcalloc(n / 3 + 2, 4);
	p = out;
	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		*p++ = base64_alphabet[v >> 18 & 0x3f];
		*p++ = base64_alphabet[v >> 12 & 0x3f];
		*p++ = base64_alphabet[v >> 6 & 0x3f];
		*p++ = base64_alphabet[v & 0x3f];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		*p++ = base64_alphabet[v >> 18 & 0x3f];
		*p++ = base64_alphabet[v >> 12 & 0x3f];
		*p++ = '=';
		*p++ = '=';
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		*p++ = base64_alphabet[v >> 18 & 0x3f];
		*p++ = base64_alphabet[v >> 12 & 0x3f];
		*p++ = base64_alphabet[v >> 6 & 0x3f];
		*p++ = '=';
	}
	*p = '\0';
	return out;
}

/* Return the value of base64 digit c, or -1. */
static int
base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static char *
base64_bad_char(unsigned char c, size_t off)
{
	if (c == '=')
		return xasprintf("invalid base64: misplaced '=' at offset %zu",
		    off);
	if (c > ' ' && c < 0x7f)
		return xasprintf("invalid base64: unexpected '%c' at offset "
		    "%zu", c, off);
	return xasprintf("invalid base64: unexpected byte 0x%02x at offset %zu",
	    c, off);
}

int
base64_decode(const char *src, size_t srclen, uint8_t **dstp, size_t *lenp,
    char **errp)
{
	const unsigned char	*in = (const unsigned char *)src;
	uint8_t			*out = NULL;
	uint32_t		 v = 0;
	size_t			 i, j, npad = 0, n = 0;
	int			 d;

	if (srclen % 4 != 0) {
		*errp = xasprintf("invalid base64: length %zu is not a "
		    "multiple of 4", srclen);
		return -1;
	}
	if (srclen > 0 && in[srclen - 1] == '=') {
		npad = 1;
		if (in[srclen - 2] == '=')
			npad = 2;
	}
	out = xmalloc(srclen / 4 * 3 + 1);
	for (i = 0; i < srclen; i += 4) {
		v = 0;
		for (j = 0; j < 4; j++) {
			if (i + j >= srclen - npad) {
				v <<= 6;
				continue;
			}
			if ((d = base64_value(in[i + j])) == -1) {
				*errp = base64_bad_char(in[i + j], i + j);
				goto fail;
			}
			v = v << 6 | (uint32_t)d;
		}
		out[n++] = v >> 16 & 0xff;
		out[n++] = v >> 8 & 0xff;
		out[n++] = v & 0xff;
	}
	/* The padded positions decoded as zero bits; drop their bytes. */
	n -= npad;
	if (npad > 0 && (v & (0xffffffu >> (8 * (3 - npad)))) != 0) {
		*errp = xasprintf("invalid base64: non-zero bits before the "
		    "padding");
		goto fail;
	}
	out[n] = '\0';
	*dstp = out;
	*lenp = n;
	return 0;
fail:
	free(out);
	return -1;
}
