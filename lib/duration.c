/* duration.c: parse and print durations ("90", "15m", "4h", "2d"). */
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "xmalloc.h"

#define DURATION_MIN	1L
#define DURATION_MAX	(366L * 86400)
#define DURATION_SYNTAX \
	"expected a whole number with an optional unit s, m, h or d"

const char *
duration_check(const char *s, long *secs)
{
	long	 n = 0, unit = 1;
	size_t	 i;

	if (s == NULL || s[0] == '\0')
		return "empty duration";
	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		/* Stop growing past the maximum; the range check reports it. */
		if (n <= DURATION_MAX)
			n = n * 10 + (s[i] - '0');
	}
	if (i == 0)
		return DURATION_SYNTAX;
	switch (s[i]) {
	case '\0':
		break;
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return DURATION_SYNTAX;
	}
	if (s[i] != '\0' && s[i + 1] != '\0')
		return DURATION_SYNTAX;
	if (n > DURATION_MAX / unit)
		return "must be at most 366 days";
	n *= unit;
	if (n < DURATION_MIN)
		return "must be at least 1 second";
	if (secs != NULL)
		*secs = n;
	return NULL;
}

int
duration_parse(const char *s, long *secs, char **errp)
{
	const char	*why;

	if (errp != NULL)
		*errp = NULL;
	if ((why = duration_check(s, secs)) == NULL)
		return 0;
	if (errp != NULL)
		*errp = xasprintf("invalid duration \"%s\": %s",
		    s != NULL ? s : "", why);
	return -1;
}

char *
duration_format(long secs)
{
	static const struct {
		long	 secs;
		char	 suffix;
	} units[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }
	};
	size_t	 i;

	if (secs != 0) {
		for (i = 0; i < sizeof units / sizeof units[0]; i++) {
			if (secs % units[i].secs == 0)
				return xasprintf("%ld%c", secs / units[i].secs,
				    units[i].suffix);
		}
	}
	return xasprintf("%lds", secs);
}
