/* progress.c: a progress line on a terminal, redrawn by a thread so that
 * a single long statement (a set-based ready or purge) shows time passing
 * without being slowed. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "progress.h"
#include "table.h"
#include "xmalloc.h"

struct progress {
	int		 fd;
	char		*what;
	long long	 total, done;
	const long long	*counter;	/* or NULL: done is set */
	struct timespec	 start;
	unsigned int	 tick;
	size_t		 width;		/* of the line drawn last */
	bool		 stop;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	pthread_t	 thread;
};

/* Return the seconds since start. */
static double
progress_elapsed(const struct timespec *start)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

const char *
progress_format(char *buf, size_t len, const char *what, long long done,
    long long total, double secs, unsigned int tick)
{
	static const char	 spin[] = "|/-\\";
	char			 el[32], eta[32];
	double			 rate;

	table_duration(secs, el, sizeof(el));
	rate = secs > 0 ? (double)done / secs : 0;
	if (done <= 0 && total < 0)
		snprintf(buf, len, "%s %c %s", what, spin[tick % 4], el);
	else if (total < 0)
		snprintf(buf, len, "%s %lld %.0f/s %s", what, done, rate, el);
	else if (done <= 0 || rate <= 0)
		snprintf(buf, len, "%s 0/%lld 0%% %s", what, total, el);
	else {
		table_duration((double)(total > done ? total - done : 0) /
		    rate, eta, sizeof(eta));
		snprintf(buf, len, "%s %lld/%lld %lld%% %.0f/s ETA %s", what,
		    done, total, total > 0 ? done * 100 / total : 100, rate,
		    eta);
	}
	return buf;
}

/* Draw the line over the last one (p->mu held). */
static void
progress_draw(struct progress *p)
{
	char	 line[256], out[300];
	size_t	 n;

	if (p->counter != NULL)
		p->done = __atomic_load_n(p->counter, __ATOMIC_RELAXED);
	progress_format(line, sizeof(line), p->what, p->done, p->total,
	    progress_elapsed(&p->start), p->tick++);
	n = strlen(line);
	/* Blanks over what is left of a longer line before. */
	snprintf(out, sizeof(out), "\r%s%*s", line,
	    (int)(p->width > n ? p->width - n : 0), "");
	p->width = n;
	(void)fileio_write_all(p->fd, out, strlen(out));
}

static void *
progress_main(void *arg)
{
	struct progress	*p = arg;
	struct timespec	 until;

	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		progress_draw(p);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += PROGRESS_REDRAW_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!p->stop && pthread_cond_timedwait(&p->cv, &p->mu,
		    &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct progress *
progress_new(int fd, const char *what, long long total, bool quiet)
{
	struct progress	*p;

	if (quiet || !isatty(fd))
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->fd = fd;
	p->what = xstrdup(what);
	p->total = total;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (pthread_create(&p->thread, NULL, progress_main, p) != 0) {
		/* No line, then: the work goes on without it. */
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		free(p->what);
		free(p);
		return NULL;
	}
	return p;
}

void
progress_set(struct progress *p, long long done)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->done = done;
	pthread_mutex_unlock(&p->mu);
}

void
progress_watch(struct progress *p, const long long *counter)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->counter = counter;
	pthread_mutex_unlock(&p->mu);
}

void
progress_end(struct progress *p)
{
	char	 blank[300];

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	if (p->width > 0) {
		if (p->width > sizeof(blank) - 3)
			p->width = sizeof(blank) - 3;
		snprintf(blank, sizeof(blank), "\r%*s\r", (int)p->width, "");
		(void)fileio_write_all(p->fd, blank, strlen(blank));
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->what);
	free(p);
}
