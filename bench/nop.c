/* nop.c: a process that does nothing, to time process start-up and the
 * dynamic loader: built bare, and with -DNOP_LIBPQ linked to libpq. */
#ifdef NOP_LIBPQ
#include <libpq-fe.h>
#endif

int
main(void)
{
#ifdef NOP_LIBPQ
	/* A call, so that --as-needed keeps libpq: its loading is measured. */
	return PQlibVersion() > 0 ? 0 : 1;
#else
	return 0;
#endif
}
