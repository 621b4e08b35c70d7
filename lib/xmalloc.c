/* xmalloc.c: allocation wrappers that exit on exhaustion (after tmux). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static void
xmalloc_die(const char *what, size_t n)
{
	/* Library code never prints, but there is no way to continue. */
	fprintf(stderr, "%s: out of memory allocating %zu bytes\n", what, n);
	exit(70);
}

void *
xmalloc(size_t size)
{
	void	*p;

	if (size == 0)
		size = 1;
	if ((p = malloc(size)) == NULL)
		xmalloc_die("xmalloc", size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		xmalloc_die("xcalloc", size);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = reallocarray(ptr, nmemb, size)) == NULL)
		xmalloc_die("xreallocarray", size);
	return p;
}

/* The capacity of an array of n elements of size bytes grown by xgrow. */
static size_t
xgrow_cap(size_t n, size_t size)
{
	size_t	 cap;

	if (n == 0)
		return 0;
	cap = size > 0 && size < XGROW_MINBYTES ? XGROW_MINBYTES / size : 1;
	while (cap < n) {
		if (cap > SIZE_MAX / 2)
			xmalloc_die("xgrow", n);
		cap *= 2;
	}
	return cap;
}

void *
xgrow(void *ptr, size_t n, size_t more, size_t size)
{
	if (more > SIZE_MAX - n)
		xmalloc_die("xgrow", n);
	if (n + more <= xgrow_cap(n, size))
		return ptr;
	return xreallocarray(ptr, xgrow_cap(n + more, size), size);
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		xmalloc_die("xstrdup", strlen(s));
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		xmalloc_die("xstrndup", n);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		xmalloc_die("xasprintf", strlen(fmt));
	va_end(ap);
	return s;
}

void
xfreezero_str(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

void
xfree_strv(char **v)
{
	size_t	 i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}
