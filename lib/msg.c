/* msg.c: pieces of the messages people read: quoted values, typo hints. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "strbuf.h"
#include "xmalloc.h"

char *
msg_quote(const char *s, size_t len, size_t max)
{
	struct strbuf	 sb = STRBUF_INIT;
	unsigned char	 ch;
	size_t		 i, n = len;

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	strbuf_addc(&sb, '"');
	for (i = 0; i < n; i++) {
		ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\') {
			strbuf_addc(&sb, '\\');
			strbuf_addc(&sb, (char)ch);
		} else if (ch == '\n')
			strbuf_add(&sb, "\\n");
		else if (ch == '\t')
			strbuf_add(&sb, "\\t");
		else if (ch < 0x20 || ch == 0x7f)
			strbuf_addf(&sb, "\\x%02x", ch);
		else
			strbuf_addc(&sb, (char)ch);
	}
	strbuf_addc(&sb, '"');
	if (n < len)
		strbuf_add(&sb, "...");
	return strbuf_detach(&sb);
}

char *
msg_q(const char *s)
{
	return msg_quote(s, strlen(s), MSG_QUOTEMAX);
}

size_t
msg_distance(const char *a, const char *b)
{
	unsigned char	 m[MSG_QUOTEMAX + 1][MSG_QUOTEMAX + 1];
	size_t		 la = strlen(a), lb = strlen(b), i, j, v, w;

	if (la > MSG_QUOTEMAX || lb > MSG_QUOTEMAX)
		return SIZE_MAX;
	for (i = 0; i <= la; i++)
		m[i][0] = (unsigned char)i;
	for (j = 0; j <= lb; j++)
		m[0][j] = (unsigned char)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			v = m[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if ((w = m[i - 1][j] + 1U) < v)
				v = w;
			if ((w = m[i][j - 1] + 1U) < v)
				v = w;
			/* A transposition of neighbours is one typo. */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] &&
			    (w = m[i - 2][j - 2] + 1U) < v)
				v = w;
			m[i][j] = (unsigned char)v;
		}
	}
	return m[la][lb];
}

void
msg_hint_try(struct msg_hint *h, const char *s, const char *cand)
{
	size_t	 dist;

	dist = msg_distance(s, cand);
	if (dist > 0 && dist <= MSG_HINTDIST && dist < strlen(s) &&
	    dist < h->dist) {
		h->best = cand;
		h->dist = dist;
	}
}

char *
msg_hint_text(const struct msg_hint *h)
{
	if (h->best == NULL)
		return xstrdup("");
	return xasprintf(" (did you mean \"%s\"?)", h->best);
}
