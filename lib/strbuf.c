/* strbuf.c: a growable string buffer for building messages, SQL text, JSON. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xmalloc.h"

static void
strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t	 want = sb->len + extra + 1;

	/*
	 * Grow from cap, the most ever written, not from len: len may have
	 * been cut back, and what was written beyond it must stay allocated
	 * for strbuf_free to wipe.
	 */
	if (want > sb->cap) {
		sb->buf = xgrow(sb->buf, sb->cap, want - sb->cap, 1);
		sb->cap = want;
	}
}

void
strbuf_addn(struct strbuf *sb, const char *s, size_t n)
{
	strbuf_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void
strbuf_add(struct strbuf *sb, const char *s)
{
	strbuf_addn(sb, s, strlen(s));
}

void
strbuf_addc(struct strbuf *sb, char c)
{
	strbuf_addn(sb, &c, 1);
}

void
strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void
strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list	 aq;
	int	 n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	strbuf_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

char *
strbuf_detach(struct strbuf *sb)
{
	char	*s = sb->buf != NULL ? sb->buf : xstrdup("");

	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return s;
}

void
strbuf_free(struct strbuf *sb)
{
	if (sb->buf != NULL) {
		explicit_bzero(sb->buf, sb->cap);
		free(sb->buf);
	}
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}
