/* strbuf.h: a growable NUL-terminated string buffer. */
#ifndef DF_STRBUF_H
#define DF_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char	*buf;	/* always NUL-terminated once anything is added */
	size_t	 len;
	size_t	 cap;	/* bytes written at most (what strbuf_free wipes) */
};

#define STRBUF_INIT { NULL, 0, 0 }

/* Append n bytes of s. */
void	 strbuf_addn(struct strbuf *, const char *s, size_t n);
/* Append the string s. */
void	 strbuf_add(struct strbuf *, const char *s);
/* Append one character. */
void	 strbuf_addc(struct strbuf *, char c);
/* Append a formatted string. */
void	 strbuf_addf(struct strbuf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Same as strbuf_addf, with the arguments in ap. */
void	 strbuf_vaddf(struct strbuf *, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
/* Return the contents ("" when empty) as a string the caller now owns. */
char	*strbuf_detach(struct strbuf *);
/* Release the buffer, wiping it first (it may have held a secret). */
void	 strbuf_free(struct strbuf *);

#endif
