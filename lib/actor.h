/* actor.h: who is acting, and where: for runs (user, host) and the audit
 * trail ("user@host"). */
#ifndef DF_ACTOR_H
#define DF_ACTOR_H

#include <stddef.h>

/* Return the name of the effective user, or its uid in decimal when it has
 * no name; caller frees. */
char	*actor_user(void);
/* Return this host's name in buf (len > 0), "unknown" when it has none,
 * cut to len - 1 bytes. */
char	*actor_host(char *buf, size_t len);
/* Return who is acting, for the audit trail ("user@host"); caller frees. */
char	*actor_name(void);

#endif
