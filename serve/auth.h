/* auth.h: who calls the server (a Bearer token or a console session) and
 * whether a route lets them; the tokens themselves. */
#ifndef DF_SERVE_AUTH_H
#define DF_SERVE_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "serve.h"

#define AUTH_HASHLEN	32		/* SHA-256 */
#define AUTH_TOKEN_PREFIX "dft_"	/* marks a dataflow token in a log or a
					   secret scanner */
#define AUTH_COOKIE	"df_session"
#define AUTH_CSRF_HEADER "X-CSRF-Token"
#define AUTH_SESSION_TTL "12 hours"	/* how long a console session lasts */

/* The caller of a request, as the database knows them. */
struct auth_caller {
	char		*name;		/* the token's name, NULL: anonymous */
	enum serve_role	 role;		/* SERVE_ROLE_NONE when anonymous */
	bool		 session;	/* by a session cookie */
	char		*csrf;		/* the session's CSRF token */
};

/*
 * Make a new token: AUTH_TOKEN_PREFIX and 32 bytes of getrandom() in hex,
 * in *token (caller frees with xfreezero_str), and its SHA-256 in hash.
 * Return 0, or -1 with *errp (caller frees).
 */
int	auth_token_new(char **token, unsigned char hash[AUTH_HASHLEN],
	    char **errp);
/* Fill out with n random bytes in hex (out holds 2n + 1). Return 0 or -1. */
int	auth_random_hex(char *out, size_t n);
/* Fill hash with the SHA-256 of s. Return 0, or -1 (no digest). */
int	auth_hash(const char *s, unsigned char hash[AUTH_HASHLEN]);
/* Write hash as a bytea literal "\x..." in out (2 * AUTH_HASHLEN + 3). */
void	auth_hash_text(const unsigned char hash[AUTH_HASHLEN], char *out);

/*
 * Identify the caller from the Authorization header (authz, "Bearer
 * TOKEN", or NULL) and else the session cookie's value (cookie, or NULL)
 * with df_token_auth or df_session_auth on db. Return 0 with *c filled
 * (anonymous when neither is given or neither is live), or -1 with *e
 * filled. Free with auth_caller_clear.
 */
int	auth_identify(struct db *db, const char *authz, const char *cookie,
	    struct auth_caller *c, struct db_error *e);
/* Free what c holds and make it anonymous. */
void	auth_caller_clear(struct auth_caller *c);
/*
 * Whether c may call route r (read_only: the server's --read-only; csrf:
 * the request's X-CSRF-Token or NULL). Return 0, or the HTTP status with
 * *why (static): 401 for an anonymous caller, 403 for a role too low, a
 * mutation under --read-only, or a session's mutation without its CSRF
 * token.
 */
int	auth_decide(const struct serve_route *r, const struct auth_caller *c,
	    bool read_only, const char *csrf, const char **why);
/* Return the role named name ("viewer", "operator"), or SERVE_ROLE_NONE. */
enum serve_role	 auth_role_parse(const char *name);
/* Return the name of a role ("none", "session", "viewer", "operator"). */
const char	*auth_role_name(enum serve_role role);

#endif
