/* route.c: the matcher of the route table: method and path to a route and
 * its path parameters, decoded and checked. */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "xmalloc.h"

bool
route_utf8_valid(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, k, len;
	unsigned long		 cp;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			len = 2;
			cp = p[i] & 0x1f;
		} else if ((p[i] & 0xf0) == 0xe0) {
			len = 3;
			cp = p[i] & 0x0f;
		} else if ((p[i] & 0xf8) == 0xf0) {
			len = 4;
			cp = p[i] & 0x07;
		} else
			return false;
		if (n - i < len)
			return false;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates, beyond Unicode. */
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

char *
route_decode(const char *s, size_t len, bool noslash)
{
	char	*out, *o, hex[3] = { 0 };
	size_t	 i;

	o = out = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		if (len - i < 3 || !isxdigit((unsigned char)s[i + 1]) ||
		    !isxdigit((unsigned char)s[i + 2]))
			goto bad;
		memcpy(hex, s + i + 1, 2);
		*o++ = (char)strtol(hex, NULL, 16);
		i += 2;
	}
	*o = '\0';
	if (memchr(out, '\0', (size_t)(o - out)) != NULL ||
	    (noslash && memchr(out, '/', (size_t)(o - out)) != NULL) ||
	    !route_utf8_valid(out, (size_t)(o - out)))
		goto bad;
	return out;
bad:
	free(out);
	return NULL;
}

/* The length of the segment at s: up to the next '/' or the end. */
static size_t
route_seglen(const char *s)
{
	return strcspn(s, "/");
}

/*
 * Whether path matches pattern, segment by segment; the parameters'
 * segments (undecoded) are noted in seg[] and len[]. Return the count of
 * parameters, or -1.
 */
static int
route_fit(const char *pattern, const char *path, const char **seg,
    size_t *len)
{
	size_t	 pl, sl;
	int	 n = 0;

	for (;;) {
		pl = route_seglen(pattern);
		sl = route_seglen(path);
		if (pl > 2 && pattern[0] == '{' && pattern[pl - 1] == '}') {
			if (sl == 0 || n == SERVE_MAXARG)
				return -1;
			seg[n] = path;
			len[n++] = sl;
		} else if (pl != sl || strncmp(pattern, path, pl) != 0)
			return -1;
		pattern += pl;
		path += sl;
		if (*pattern == '\0' || *path == '\0')
			return *pattern == *path ? n : -1;
		pattern++;
		path++;
	}
}

const struct serve_route *
route_match(const struct serve_route *table, const char *method,
    const char *path, char *args[SERVE_MAXARG], size_t *nargs, int *status)
{
	const struct serve_route	*r, *found = NULL;
	const char			*seg[SERVE_MAXARG];
	size_t				 len[SERVE_MAXARG], i;
	int				 n = -1, k;

	*nargs = 0;
	*status = 404;
	for (r = table; r->method != NULL; r++) {
		if ((k = route_fit(r->pattern, path, seg, len)) == -1)
			continue;
		*status = 405;
		if (strcmp(r->method, method) == 0) {
			found = r;
			n = k;
			break;
		}
	}
	if (found == NULL)
		return NULL;
	for (i = 0; i < (size_t)n; i++) {
		if ((args[i] = route_decode(seg[i], len[i], true)) == NULL) {
			while (i > 0)
				free(args[--i]);
			*status = 400;
			return NULL;
		}
	}
	*nargs = (size_t)n;
	*status = 200;
	return found;
}

/* Whether method is one of list's ", "-separated words. */
static bool
route_listed(const char *list, const char *method)
{
	size_t	 n = strlen(method);

	for (;;) {
		if (strncmp(list, method, n) == 0 &&
		    (list[n] == '\0' || list[n] == ','))
			return true;
		if ((list = strchr(list, ',')) == NULL)
			return false;
		list += 2;
	}
}

char *
route_allow(const struct serve_route *table, const char *path, char *buf,
    size_t size)
{
	const struct serve_route	*r;
	const char			*seg[SERVE_MAXARG];
	size_t				 len[SERVE_MAXARG], used = 0, n;

	buf[0] = '\0';
	for (r = table; r->method != NULL; r++) {
		if (route_fit(r->pattern, path, seg, len) == -1 ||
		    route_listed(buf, r->method))
			continue;
		n = strlen(r->method);
		if (used + 2 + n + 1 > size) {
			buf[0] = '\0';
			break;
		}
		if (used > 0) {
			memcpy(buf + used, ", ", 2);
			used += 2;
		}
		memcpy(buf + used, r->method, n + 1);
		used += n;
	}
	return buf;
}
