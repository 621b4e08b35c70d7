/* msg.h: pieces of the messages people read: values quoted so that a
 * terminal shows them as they are, and "did you mean" hints. */
#ifndef DF_MSG_H
#define DF_MSG_H

#include <stddef.h>
#include <stdint.h>

#define MSG_QUOTEMAX	64	/* bytes of a bad value echoed back */
#define MSG_HINTDIST	2	/* largest edit distance of a hint */

/*
 * Return the len bytes at s in double quotes (caller frees): '"' and '\'
 * backslashed, newline and tab as \n and \t, other control bytes as \xHH,
 * so that the text cannot drive the terminal; cut after max bytes, on a
 * UTF-8 character boundary, with "..." after the closing quote, so that a
 * huge bad value does not flood the message (SIZE_MAX: never cut).
 */
char	*msg_quote(const char *s, size_t len, size_t max);
/* Return msg_quote of the string s cut after MSG_QUOTEMAX bytes. */
char	*msg_q(const char *s);
/*
 * Return the optimal string alignment distance of a and b (insertions,
 * deletions, substitutions and swaps of neighbours), or SIZE_MAX when
 * either is longer than MSG_QUOTEMAX bytes.
 */
size_t	 msg_distance(const char *a, const char *b);

/* The closest candidate seen so far for what a word was meant to be. */
struct msg_hint {
	const char	*best;	/* NULL: none close enough */
	size_t		 dist;
};
#define MSG_HINT_INIT	{ NULL, SIZE_MAX }

/*
 * Keep cand in h if it is closer to s than the best so far and close
 * enough to be a typo of s: 1 to MSG_HINTDIST edits, fewer than s has
 * bytes. h points into cand, which must outlive it.
 */
void	 msg_hint_try(struct msg_hint *h, const char *s, const char *cand);
/* Return ' (did you mean "x"?)' for h's best candidate, or "" (caller
 * frees). */
char	*msg_hint_text(const struct msg_hint *h);

#endif
