/* stats.h: the bench programs' clock and summary statistics (header only:
 * each program is one file compiled by bench/run, no library). */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Return CLOCK_MONOTONIC in nanoseconds. */
static inline int64_t
stats_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A growing array of samples, in nanoseconds. */
struct stats {
	int64_t	*v;
	size_t	 n;
	size_t	 cap;
};

static inline void
stats_add(struct stats *s, int64_t ns)
{
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 256 : s->cap * 2;
		if ((s->v = realloc(s->v, s->cap * sizeof(*s->v))) == NULL) {
			perror("realloc");
			exit(70);
		}
	}
	s->v[s->n++] = ns;
}

static inline int
stats_cmp(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Return the q-quantile (0..1) of the sorted samples, in milliseconds. */
static inline double
stats_q(const struct stats *s, double q)
{
	double	 pos, frac;
	size_t	 i;

	if (s->n == 0)
		return 0;
	pos = q * (double)(s->n - 1);
	i = (size_t)pos;
	frac = pos - (double)i;
	if (i + 1 >= s->n)
		return (double)s->v[s->n - 1] / 1e6;
	return ((double)s->v[i] * (1 - frac) + (double)s->v[i + 1] * frac) /
	    1e6;
}

/*
 * Print "PREFIX_median_ms":..., min, p10, p90, p99, max and mean as JSON members
 * (with a leading comma) to f. Sorts the samples.
 */
static inline void
stats_json(FILE *f, const char *prefix, struct stats *s)
{
	double	 sum = 0;
	size_t	 i;

	qsort(s->v, s->n, sizeof(*s->v), stats_cmp);
	for (i = 0; i < s->n; i++)
		sum += (double)s->v[i] / 1e6;
	fprintf(f, ",\"%s_n\":%zu,\"%s_median_ms\":%.4f,\"%s_min_ms\":%.4f,"
	    "\"%s_p10_ms\":%.4f,\"%s_p90_ms\":%.4f,\"%s_p99_ms\":%.4f,"
	    "\"%s_max_ms\":%.4f,\"%s_mean_ms\":%.4f",
	    prefix, s->n, prefix, stats_q(s, 0.5), prefix, stats_q(s, 0),
	    prefix, stats_q(s, 0.1), prefix, stats_q(s, 0.9), prefix,
	    stats_q(s, 0.99), prefix, stats_q(s, 1), prefix,
	    s->n > 0 ? sum / (double)s->n : 0);
}

static inline void
stats_free(struct stats *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

#endif
