/* xmalloc.h: allocation that cannot fail (it exits on exhaustion). */
#ifndef DF_XMALLOC_H
#define DF_XMALLOC_H

#include <stddef.h>

/* Return a new block of size bytes, owned by the caller; exits on failure. */
void	*xmalloc(size_t size);
/* Return a zeroed array of nmemb * size bytes; exits on overflow/failure. */
void	*xcalloc(size_t nmemb, size_t size);
/* Resize ptr to nmemb * size bytes; exits on overflow/failure. */
void	*xreallocarray(void *ptr, size_t nmemb, size_t size);
/*
 * Return ptr, an array of size-byte elements of which n are in use, with
 * room for at least more after them (the caller owns it, as before). The
 * capacity is not stored: it is implied by n (rounded up to a power of two,
 * and to at least XGROW_MINBYTES bytes), so grow an array only through
 * xgrow, from NULL, with n never above the n + more of an earlier call;
 * elements beyond n may be lost. Doubling keeps appending linear. Exits on
 * overflow.
 */
void	*xgrow(void *ptr, size_t n, size_t more, size_t size);
#define XGROW_MINBYTES	64	/* the smallest block xgrow allocates */
/* Return a copy of s, owned by the caller. */
char	*xstrdup(const char *s);
/* Return a copy of the first n bytes of s, NUL-terminated. */
char	*xstrndup(const char *s, size_t n);
/* Return a newly formatted string, owned by the caller. */
char	*xasprintf(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* Free s after wiping it (for secrets); a NULL s is a no-op. */
void	 xfreezero_str(char *s);
/* Free a NULL-terminated list of strings and the strings; NULL is a no-op. */
void	 xfree_strv(char **v);

#endif
