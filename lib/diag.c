/* diag.c: a list of messages that library code fills and a program prints. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "xmalloc.h"

void
diag_add(struct diag *d, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	diag_vadd(d, fmt, ap);
	va_end(ap);
}

void
diag_vadd(struct diag *d, const char *fmt, va_list ap)
{
	char	*s;

	/* A message that cannot be formatted is no reason to exit. */
	if (vasprintf(&s, fmt, ap) == -1)
		s = xstrdup("(unprintable message)");
	diag_take(d, s);
}

void
diag_take(struct diag *d, char *msg)
{
	/* No capacity field: { NULL, 0 } must stay a valid empty list. */
	d->msgs = xgrow(d->msgs, d->n, 1, sizeof *d->msgs);
	d->msgs[d->n++] = msg;
}

void
diag_clear(struct diag *d)
{
	size_t	 i;

	for (i = 0; i < d->n; i++)
		free(d->msgs[i]);
	free(d->msgs);
	d->msgs = NULL;
	d->n = 0;
}
