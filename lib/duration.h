/* duration.h: durations such as "90", "90s", "15m", "4h", "2d" (seconds). */
#ifndef DF_DURATION_H
#define DF_DURATION_H

/*
 * Parse s into *secs: a whole number with an optional unit suffix s, m, h or
 * d (a bare number is seconds); 1 second .. 366 days. Return 0, or -1 with a
 * message in *errp (caller frees) naming the bad value.
 */
int	 duration_parse(const char *s, long *secs, char **errp);
/*
 * Parse s like duration_parse; return NULL, or a static string saying what
 * is wrong without repeating s, for callers that name the value themselves
 * ("PATH:LINE: invalid lease \"x\": ...").
 */
const char *duration_check(const char *s, long *secs);
/* Return the shortest exact form of secs ("4h", "90s", "1d"); caller frees. */
char	*duration_format(long secs);

#endif
