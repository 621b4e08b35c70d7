/* range.h: expand dataid ranges (--from A --to B, --daily or --step N). */
#ifndef DF_RANGE_H
#define DF_RANGE_H

#include <stddef.h>

#define RANGE_MAX	1000000	/* most dataids one range may produce */

enum range_kind {
	RANGE_DAILY,	/* ISO dates YYYY-MM-DD, one a day, inclusive */
	RANGE_STEP	/* integers, zero-padded to the width of from */
};

/*
 * Expand from..to (inclusive) into a NULL-terminated array of dataids, owned
 * by the caller (free with range_free), and its length in *n. Daily ranges
 * need valid calendar dates (years 0001..9999) and ignore step; step ranges
 * need non-negative integers and a step >= 1; from must not be after to.
 * Return NULL with *errp set (caller frees) on bad input or more than
 * RANGE_MAX items. n and errp may be NULL.
 */
char	**range_expand(const char *from, const char *to, enum range_kind kind,
	    long step, size_t *n, char **errp);
/* Free an array from range_expand; NULL is a no-op. */
void	  range_free(char **ids);

#endif
