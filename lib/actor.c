/* actor.c: the effective user and the host name, as the programs record
 * them. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actor.h"
#include "xmalloc.h"

char *
actor_user(void)
{
	struct passwd	*pw = getpwuid(geteuid());

	if (pw != NULL)
		return xstrdup(pw->pw_name);
	return xasprintf("%u", (unsigned)geteuid());
}

char *
actor_host(char *buf, size_t len)
{
	if (gethostname(buf, len) == -1)
		strlcpy(buf, "unknown", len);
	buf[len - 1] = '\0';
	return buf;
}

char *
actor_name(void)
{
	char	 host[256], *user, *name;

	user = actor_user();
	name = xasprintf("%s@%s", user, actor_host(host, sizeof(host)));
	free(user);
	return name;
}
