/*
 * harden.c: keep the secrets a process holds (the passkey, decrypted
 * passwords) out of core files and out of other processes' reach.
 */
#include <sys/prctl.h>
#include <sys/resource.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "harden.h"
#include "xmalloc.h"

/* The core size limit found, given back to the programs we run. */
static struct rlimit	harden_core;
static bool		harden_core_saved;

int
harden_process(char **errp)
{
	struct rlimit	 rl;

	/*
	 * Not dumpable: the kernel writes no core file, and /proc/PID/mem,
	 * /proc/PID/environ and ptrace need CAP_SYS_PTRACE, so another
	 * process of the same user cannot read the passkey from memory.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		*errp = xasprintf("could not make the process non-dumpable: "
		    "%s", strerror(errno));
		return -1;
	}
	/*
	 * And no core should that be undone. Only the soft limit: the hard
	 * one stays, so that the programs we run get theirs back.
	 */
	if (getrlimit(RLIMIT_CORE, &rl) == -1) {
		*errp = xasprintf("could not read the core size limit: %s",
		    strerror(errno));
		return -1;
	}
	if (!harden_core_saved) {
		harden_core = rl;
		harden_core_saved = true;
	}
	rl.rlim_cur = 0;
	if (setrlimit(RLIMIT_CORE, &rl) == -1) {
		*errp = xasprintf("could not set the core size limit to 0: "
		    "%s", strerror(errno));
		return -1;
	}
	return 0;
}

int
harden_child(void)
{
	if (!harden_core_saved)
		return 0;
	return setrlimit(RLIMIT_CORE, &harden_core);
}
