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
