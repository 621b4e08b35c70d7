/* body.h: the JSON bodies of the API's POST endpoints turned into typed
 * arguments, with no database and no HTTP: each refusal is one line that
 * names the field (the handler answers it with 400). */
#ifndef DF_SERVE_BODY_H
#define DF_SERVE_BODY_H

#include <stdbool.h>
#include <stddef.h>

struct cfg_kv;
struct trigger_items;

#define BODY_MAXDEPTH	32	/* deepest nesting of a body */
#define BODY_MAXIDS	1000000	/* dataids of one call, listed or a range */

/* Which endpoint a body is for: the members each one takes. */
enum body_kind {
	BODY_READY,		/* dataids | from, to, daily | step, reason */
	BODY_RESUBMIT,		/* dataids | from/to | failed, downstream,
				   dry_run, reason */
	BODY_PAUSE,		/* reason (pause and resume) */
	BODY_TRIGGER,		/* params, label, dataid */
	BODY_TRIGGER_MATCH	/* match, and those of BODY_TRIGGER */
};

/* A body's arguments; members the body lacks are NULL, 0 or false. */
struct body_args {
	char			**ids;	/* dataids, then the range's,
					   NULL-terminated */
	size_t			  nids;
	bool			  failed;
	bool			  downstream;
	bool			  dry_run;
	char			 *reason;
	char			 *label;
	struct trigger_items	 *items;	/* trigger: the partitions */
	struct cfg_kv		 *tags;		/* match, in order */
	size_t			  ntags;
};

/*
 * Translate the body text[0..len-1] (NULL or empty: {}) of kind into *a
 * (release with body_args_clear, also after a failure): a JSON object of
 * at most BODY_MAXDEPTH levels, valid UTF-8, with only the members kind
 * takes, each of its type; dataids valid and at most BODY_MAXIDS; trigger
 * parameter names checked against allow (NULL-terminated, or NULL) as
 * trigger_items_load does. Return 0, or -1 with *errp (caller frees) one
 * line naming the member.
 */
int	 body_parse(enum body_kind kind, const char *text, size_t len,
	    const char *const *allow, struct body_args *a, char **errp);
/* Free what body_parse put in a and zero it. */
void	 body_args_clear(struct body_args *a);
/* Return the depth of the deepest nesting of JSON text (strings are
 * skipped), as far as it reads: 0 for a scalar. */
int	 body_depth(const char *text, size_t len);

#endif
