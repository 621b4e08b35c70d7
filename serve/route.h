/* route.h: find the route of a request in the route table, with its path
 * parameters. */
#ifndef DF_SERVE_ROUTE_H
#define DF_SERVE_ROUTE_H

#include <stddef.h>

#include "serve.h"

/*
 * Find method and path (as received, without the query) in table. A
 * pattern's "{name}" segment matches one non-empty segment, which is
 * percent-decoded into args[] (at most SERVE_MAXARG, in pattern order;
 * *nargs counts them; caller frees each). Return the route, or NULL with
 * *status: 404 when no pattern matches the path, 405 when one does but
 * not for this method, 400 when a parameter is not valid UTF-8 or holds
 * '/' or NUL once decoded (args freed).
 */
const struct serve_route *route_match(const struct serve_route *table,
		    const char *method, const char *path,
		    char *args[SERVE_MAXARG], size_t *nargs, int *status);
/*
 * Write to buf (size bytes, at least 1) the methods whose routes of table
 * match path, comma-separated in table order without repeats ("GET, POST"):
 * the Allow header of a 405. Return buf ("" when none, or when they would
 * not fit).
 */
char		*route_allow(const struct serve_route *table, const char *path,
		    char *buf, size_t size);
/*
 * Return the len bytes at s percent-decoded (caller frees), or NULL when
 * an escape is malformed, the result is not valid UTF-8, or it holds a
 * NUL or (with noslash) a '/'.
 */
char		*route_decode(const char *s, size_t len, bool noslash);
/* Return whether the n bytes at s are valid UTF-8 (no overlong forms,
 * surrogates or code points over U+10FFFF). */
bool		 route_utf8_valid(const char *s, size_t n);

#endif
