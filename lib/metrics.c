/* metrics.c: parse the metrics a job reports, leniently: a bad line is
 * reported and skipped, never fatal to the run. */
#include <ctype.h>
#include <math.h>	/* isfinite, a macro */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "diag.h"
#include "metrics.h"
#include "xmalloc.h"

static bool
metrics_name_valid(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > METRICS_MAXNAME ||
	    !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_.:-", s[i]) ==
		    NULL)
			return false;
	return true;
}

/* Return whether s (NUL-terminated) reads whole as a finite number. */
static bool
metrics_number(const char *s, double *d)
{
	char	*end;

	if (*s == '\0' || isspace((unsigned char)*s))
		return false;
	*d = strtod(s, &end);
	return *end == '\0' && isfinite(*d) &&
	    strspn(s, "0123456789+-.eE") == strlen(s);
}

char *
metrics_parse(const char *text, size_t len, struct diag *warnings)
{
	json_t		*o = json_object();
	const char	*p, *nl, *eq;
	char		*name, *value, *out = NULL;
	size_t		 off, n, vlen;
	double		 d;
	int		 line = 0;

	for (off = 0; off < len; off += n + 1) {
		p = text + off;
		line++;
		nl = memchr(p, '\n', len - off);
		n = nl != NULL ? (size_t)(nl - p) : len - off;
		vlen = n;	/* the line's length, CR aside */
		if (vlen > 0 && p[vlen - 1] == '\r')
			vlen--;
		if (vlen == 0 || p[0] == '#')
			continue;
		if (memchr(p, '\0', vlen) != NULL) {
			diag_add(warnings, "line %d: NUL byte", line);
			continue;
		}
		if ((eq = memchr(p, '=', vlen)) == NULL) {
			diag_add(warnings, "line %d: expected name=value",
			    line);
			continue;
		}
		if (!metrics_name_valid(p, (size_t)(eq - p))) {
			diag_add(warnings, "line %d: invalid metric name",
			    line);
			continue;
		}
		vlen -= (size_t)(eq - p) + 1;
		if (vlen > METRICS_MAXVALUE) {
			diag_add(warnings, "line %d: value longer than %d "
			    "bytes", line, METRICS_MAXVALUE);
			continue;
		}
		name = xstrndup(p, (size_t)(eq - p));
		if (json_object_get(o, name) == NULL &&
		    json_object_size(o) >= METRICS_MAXCOUNT) {
			diag_add(warnings, "line %d: more than %d metrics",
			    line, METRICS_MAXCOUNT);
			free(name);
			continue;
		}
		value = xstrndup(eq + 1, vlen);
		if (metrics_number(value, &d))
			/* Whole numbers stay integers (no libm needed). */
			json_object_set_new(o, name, d > -9e15 && d < 9e15 &&
			    d == (double)(json_int_t)d ?
			    json_integer((json_int_t)d) : json_real(d));
		else if (json_object_set_new(o, name,
		    json_string(value)) == -1)
			diag_add(warnings, "line %d: value is not UTF-8",
			    line);
		free(name);
		free(value);
	}
	if (json_object_size(o) > 0)
		out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return out;
}
