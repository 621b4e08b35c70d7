/* range.c: expand --from/--to dataid ranges into lists of dates or numbers. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "range.h"
#include "xmalloc.h"

/* Largest number accepted in a step range: 18 digits cannot overflow. */
#define RANGE_MAXDIGITS	18

static bool
range_is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
range_month_days(long y, int m)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && range_is_leap(y) ? 29 : days[m - 1];
}

/* Days since 0000-03-01 in the proleptic Gregorian calendar (y >= 1). */
static long
range_day_number(long y, int m, int d)
{
	long	 doy;

	if (m <= 2)
		y--;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return y * 365 + y / 4 - y / 100 + y / 400 + doy;
}

/* The inverse of range_day_number. */
static void
range_civil(long n, long *y, int *m, int *d)
{
	long	 era, doe, yoe, doy, mp;

	era = n / 146097;
	doe = n - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool
range_digits(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return true;
}

/* Parse an ISO date into its day number; -1 with *errp on error. */
static int
range_parse_date(const char *s, long *day, char **errp)
{
	long	 y;
	int	 m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    !range_digits(s, 4) || !range_digits(s + 5, 2) ||
	    !range_digits(s + 8, 2)) {
		*errp = xasprintf("invalid date \"%s\": expected YYYY-MM-DD",
		    s);
		return -1;
	}
	y = strtol(s, NULL, 10);
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1) {
		*errp = xasprintf("invalid date \"%s\": year must be "
		    "0001..9999", s);
		return -1;
	}
	if (m < 1 || m > 12) {
		*errp = xasprintf("invalid date \"%s\": month must be 01..12",
		    s);
		return -1;
	}
	if (d < 1 || d > range_month_days(y, m)) {
		*errp = xasprintf("invalid date \"%s\": day must be 01..%d in "
		    "%.7s", s, range_month_days(y, m), s);
		return -1;
	}
	*day = range_day_number(y, m, d);
	return 0;
}

static int
range_parse_number(const char *s, unsigned long long *v, char **errp)
{
	size_t	 len = strlen(s), skip = 0;

	if (len == 0 || !range_digits(s, len)) {
		*errp = xasprintf("invalid number \"%s\": expected a "
		    "non-negative integer", s);
		return -1;
	}
	if (len > DATAID_MAXLEN) {
		*errp = xasprintf("invalid number \"%s\": longer than %d "
		    "bytes", s, DATAID_MAXLEN);
		return -1;
	}
	while (len - skip > 1 && s[skip] == '0')
		skip++;
	if (len - skip > RANGE_MAXDIGITS) {
		*errp = xasprintf("invalid number \"%s\": more than %d "
		    "significant digits", s, RANGE_MAXDIGITS);
		return -1;
	}
	*v = strtoull(s + skip, NULL, 10);
	return 0;
}

/* Check that count items fit; count is computed by the caller. */
static int
range_check_count(const char *from, const char *to, unsigned long long count,
    char **errp)
{
	if (count > RANGE_MAX) {
		*errp = xasprintf("range \"%s\" to \"%s\" has %llu dataids, "
		    "more than the limit of %d", from, to, count, RANGE_MAX);
		return -1;
	}
	return 0;
}

static char **
range_daily(const char *from, const char *to, size_t *n, char **errp)
{
	char	**ids;
	long	 first, last, day, y;
	int	 m, d;
	size_t	 i, count;

	if (range_parse_date(from, &first, errp) == -1 ||
	    range_parse_date(to, &last, errp) == -1)
		return NULL;
	if (first > last) {
		*errp = xasprintf("from \"%s\" is after to \"%s\"", from, to);
		return NULL;
	}
	if (range_check_count(from, to,
	    (unsigned long long)(last - first) + 1, errp) == -1)
		return NULL;
	count = (size_t)(last - first) + 1;
	ids = xcalloc(count + 1, sizeof *ids);
	for (i = 0, day = first; i < count; i++, day++) {
		range_civil(day, &y, &m, &d);
		ids[i] = xasprintf("%04ld-%02d-%02d", y, m, d);
	}
	*n = count;
	return ids;
}

static char **
range_step(const char *from, const char *to, long step, size_t *n,
    char **errp)
{
	char			**ids;
	unsigned long long	  first, last, v;
	size_t			  i, count;
	int			  width;

	if (range_parse_number(from, &first, errp) == -1 ||
	    range_parse_number(to, &last, errp) == -1)
		return NULL;
	if (step < 1) {
		*errp = xasprintf("invalid step %ld: must be at least 1", step);
		return NULL;
	}
	if (first > last) {
		*errp = xasprintf("from \"%s\" is after to \"%s\"", from, to);
		return NULL;
	}
	if (range_check_count(from, to,
	    (last - first) / (unsigned long long)step + 1, errp) == -1)
		return NULL;
	count = (size_t)((last - first) / (unsigned long long)step) + 1;
	width = (int)strlen(from);
	ids = xcalloc(count + 1, sizeof *ids);
	for (i = 0, v = first; i < count; i++, v += (unsigned long long)step)
		ids[i] = xasprintf("%0*llu", width, v);
	*n = count;
	return ids;
}

char **
range_expand(const char *from, const char *to, enum range_kind kind,
    long step, size_t *n, char **errp)
{
	char	**ids = NULL;
	char	 *err = NULL;
	size_t	  count = 0;

	if (from == NULL || to == NULL)
		err = xstrdup("a range needs both from and to");
	else if (kind == RANGE_DAILY)
		ids = range_daily(from, to, &count, &err);
	else if (kind == RANGE_STEP)
		ids = range_step(from, to, step, &count, &err);
	else
		err = xstrdup("unknown range kind");
	if (n != NULL)
		*n = count;
	if (errp != NULL)
		*errp = err;
	else
		free(err);
	return ids;
}

void
range_free(char **ids)
{
	size_t	 i;

	if (ids == NULL)
		return;
	for (i = 0; ids[i] != NULL; i++)
		free(ids[i]);
	free(ids);
}
