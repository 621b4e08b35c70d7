/* diag.h: a list of messages (errors, warnings) that library code fills and
 * a program prints. */
#ifndef DF_DIAG_H
#define DF_DIAG_H

#include <stdarg.h>
#include <stddef.h>

/* A list of messages, oldest first; { NULL, 0 } is an empty list. */
struct diag {
	char	**msgs;
	size_t	  n;
};

/* Add a formatted message to d (d owns it). */
void		 diag_add(struct diag *d, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* Same as diag_add, with the arguments in ap. */
void		 diag_vadd(struct diag *d, const char *fmt, va_list ap)
		    __attribute__((format(printf, 2, 0)));
/* Add msg, a string the caller allocated, to d: d owns it now. */
void		 diag_take(struct diag *d, char *msg);
/* Free the messages of d and reset it to empty. */
void		 diag_clear(struct diag *d);

#endif
