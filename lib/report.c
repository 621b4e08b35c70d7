/* report.c: hand a library step's messages to the program. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "report.h"

void
report(const struct report *r, enum report_level level, const char *fmt,
    ...)
{
	va_list	 ap;
	char	*msg;
	int	 n;

	if (r == NULL || r->fn == NULL)
		return;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n == -1)
		return;
	r->fn(r->arg, level, msg);
	free(msg);
}
