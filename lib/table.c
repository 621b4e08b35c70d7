/* table.c: aligned text tables for people (dataflow status, runs, audit),
 * and the durations and times shown in them. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strbuf.h"
#include "table.h"
#include "xmalloc.h"

struct table {
	size_t			 ncols;
	char			**headers;
	enum table_align	*align;
	char			**cells;	/* row-major */
	size_t			 ncells;
};

struct table *
table_new(size_t ncols, const char *const *headers)
{
	struct table	*t;
	size_t		 i;

	t = xcalloc(1, sizeof(*t));
	t->ncols = ncols > 0 ? ncols : 1;
	t->headers = xcalloc(t->ncols, sizeof(*t->headers));
	t->align = xcalloc(t->ncols, sizeof(*t->align));
	for (i = 0; i < ncols; i++)
		t->headers[i] = xstrdup(headers[i] != NULL ? headers[i] : "");
	if (ncols == 0)
		t->headers[0] = xstrdup("");
	return t;
}

void
table_free(struct table *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->ncols; i++)
		free(t->headers[i]);
	for (i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->headers);
	free(t->align);
	free(t->cells);
	free(t);
}

void
table_align(struct table *t, size_t col, enum table_align a)
{
	if (col < t->ncols)
		t->align[col] = a;
}

char *
table_safe(const char *s, bool lines)
{
	struct strbuf	 sb = STRBUF_INIT;
	unsigned char	 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (lines && (c == '\n' || c == '\t'))
			strbuf_addc(&sb, (char)c);
		else if (c < 0x20 || c == 0x7f)
			strbuf_addc(&sb, '?');
		/* U+0080-U+009F: C1 controls, CSI and OSC among them. */
		else if (c == 0xc2 && (unsigned char)s[1] >= 0x80 &&
		    (unsigned char)s[1] <= 0x9f) {
			strbuf_addc(&sb, '?');
			s++;
		} else
			strbuf_addc(&sb, (char)c);
	}
	return strbuf_detach(&sb);
}

void
table_add(struct table *t, const char *cell)
{
	char	*copy;

	/* A tab or newline from the database must not break the layout. */
	copy = table_safe(cell != NULL ? cell : "-", false);
	t->cells = xgrow(t->cells, t->ncells, 1, sizeof(*t->cells));
	t->cells[t->ncells++] = copy;
}

void
table_addf(struct table *t, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		s = xstrdup("?");
	table_add(t, s);
	free(s);
}

size_t
table_rows(const struct table *t)
{
	return (t->ncells + t->ncols - 1) / t->ncols;
}

/* Return the display width of s: UTF-8 continuation bytes take none. */
static size_t
table_width(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	}
	return n;
}

static void
table_pad(struct strbuf *sb, size_t n)
{
	while (n-- > 0)
		strbuf_addc(sb, ' ');
}

/* Append one line of cells (ncols of them), aligned to widths. */
static void
table_line(const struct table *t, struct strbuf *sb, char *const *cells,
    size_t ncells, const size_t *widths)
{
	const char	*cell;
	size_t		 i, w, start = sb->len;

	for (i = 0; i < t->ncols; i++) {
		cell = i < ncells ? cells[i] : "-";
		w = table_width(cell);
		if (i > 0)
			strbuf_add(sb, "  ");
		if (t->align[i] == TABLE_RIGHT)
			table_pad(sb, widths[i] - w);
		strbuf_add(sb, cell);
		if (t->align[i] == TABLE_LEFT && i + 1 < t->ncols)
			table_pad(sb, widths[i] - w);
	}
	/* Empty trailing cells leave blanks: trim them. */
	while (sb->len > start && sb->buf[sb->len - 1] == ' ')
		sb->buf[--sb->len] = '\0';
	strbuf_addc(sb, '\n');
}

char *
table_render(const struct table *t)
{
	struct strbuf	 sb = STRBUF_INIT;
	size_t		*widths, i, w, row, nrows = table_rows(t), n;

	widths = xcalloc(t->ncols, sizeof(*widths));
	for (i = 0; i < t->ncols; i++)
		widths[i] = table_width(t->headers[i]);
	for (i = 0; i < t->ncells; i++) {
		w = table_width(t->cells[i]);
		if (w > widths[i % t->ncols])
			widths[i % t->ncols] = w;
	}
	/* The "-" of a short last row. */
	if (t->ncells % t->ncols != 0) {
		for (i = t->ncells % t->ncols; i < t->ncols; i++) {
			if (widths[i] < 1)
				widths[i] = 1;
		}
	}
	table_line(t, &sb, t->headers, t->ncols, widths);
	for (row = 0; row < nrows; row++) {
		n = t->ncells - row * t->ncols;
		table_line(t, &sb, t->cells + row * t->ncols,
		    n < t->ncols ? n : t->ncols, widths);
	}
	free(widths);
	return strbuf_detach(&sb);
}

const char *
table_duration(double secs, char *buf, size_t len)
{
	long long	 s;

	if (secs < 0 || secs != secs) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (secs < 9.95) {
		snprintf(buf, len, "%.1fs", secs);
		return buf;
	}
	s = (long long)(secs + 0.5);
	if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldd%02lldh", s / 86400,
		    s % 86400 / 3600);
	return buf;
}

const char *
table_time(time_t t, char *buf, size_t len)
{
	struct tm	 tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S %z", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

/* Read n digits at *p into *v and step over them; 0, or -1. */
static int
table_digits(const char **p, int n, int *v)
{
	*v = 0;
	for (; n > 0; n--, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		*v = *v * 10 + (**p - '0');
	}
	return 0;
}

/* Read the character c at *p and step over it; 0, or -1. */
static int
table_sep(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

const char *
table_time_iso(const char *iso, char *buf, size_t len)
{
	struct tm	 tm;
	const char	*p = iso;
	time_t		 t;
	int		 sign, oh, om = 0;

	if (iso == NULL)
		return NULL;
	memset(&tm, 0, sizeof(tm));
	if (table_digits(&p, 4, &tm.tm_year) == -1 ||
	    table_sep(&p, '-') == -1 || table_digits(&p, 2, &tm.tm_mon) == -1 ||
	    table_sep(&p, '-') == -1 ||
	    table_digits(&p, 2, &tm.tm_mday) == -1 ||
	    table_sep(&p, 'T') == -1 ||
	    table_digits(&p, 2, &tm.tm_hour) == -1 ||
	    table_sep(&p, ':') == -1 || table_digits(&p, 2, &tm.tm_min) == -1 ||
	    table_sep(&p, ':') == -1 || table_digits(&p, 2, &tm.tm_sec) == -1)
		goto asis;
	/* Whole seconds are shown: the fraction is dropped. */
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p != '+' && *p != '-')
		goto asis;
	sign = *p++ == '-' ? -1 : 1;
	if (table_digits(&p, 2, &oh) == -1 ||
	    (table_sep(&p, ':') == 0 && table_digits(&p, 2, &om) == -1) ||
	    *p != '\0')
		goto asis;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if ((t = timegm(&tm)) == (time_t)-1)
		goto asis;
	return table_time(t - sign * (oh * 3600 + om * 60), buf, len);
asis:
	strlcpy(buf, iso, len);
	return buf;
}
