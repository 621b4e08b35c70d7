/* auth.c: the server's callers: Bearer tokens, the console's sessions and
 * their CSRF tokens, roles, --read-only; the sign-in handlers. */
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auth.h"
#include "db.h"
#include "listing.h"
#include "xmalloc.h"

/* Each finds a live token or session by an equality lookup of its hash in
 * a unique index (sql/api.sql): no comparison in C depends on a secret. */
static const char token_auth_sql[] =
    "SELECT name, role FROM df_token_auth($1::bytea)";
static const char session_auth_sql[] =
    "SELECT name, role, csrf FROM df_session_auth($1::bytea)";
static const char session_start_sql[] =
    "SELECT name, role FROM df_session_start($1::bytea, $2::bytea, $3, "
    "$4::interval)";
static const char session_end_sql[] =
    "SELECT df_session_end($1::bytea)";

static const char *const auth_role_names[] = {
	"none", "session", "viewer", "operator"
};

enum serve_role
auth_role_parse(const char *name)
{
	if (name != NULL && strcmp(name, "viewer") == 0)
		return SERVE_ROLE_VIEWER;
	if (name != NULL && strcmp(name, "operator") == 0)
		return SERVE_ROLE_OPERATOR;
	return SERVE_ROLE_NONE;
}

const char *
auth_role_name(enum serve_role role)
{
	return auth_role_names[role];
}

int
auth_random_hex(char *out, size_t n)
{
	unsigned char	 buf[64];
	size_t		 i;
	ssize_t		 got;

	if (n > sizeof(buf))
		return -1;
	do {
		got = getrandom(buf, n, 0);
	} while (got == -1 && errno == EINTR);
	if (got != (ssize_t)n) {
		explicit_bzero(buf, sizeof(buf));
		return -1;
	}
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", buf[i]);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

int
auth_hash(const char *s, unsigned char hash[AUTH_HASHLEN])
{
	unsigned int	 len = 0;

	if (!EVP_Digest(s, strlen(s), hash, &len, EVP_sha256(), NULL) ||
	    len != AUTH_HASHLEN)
		return -1;
	return 0;
}

void
auth_hash_text(const unsigned char hash[AUTH_HASHLEN], char *out)
{
	size_t	 i;

	out[0] = '\\';
	out[1] = 'x';
	for (i = 0; i < AUTH_HASHLEN; i++)
		snprintf(out + 2 + 2 * i, 3, "%02x", hash[i]);
}

int
auth_token_new(char **token, unsigned char hash[AUTH_HASHLEN], char **errp)
{
	char	 hex[2 * AUTH_HASHLEN + 1];

	*token = NULL;
	if (auth_random_hex(hex, AUTH_HASHLEN) == -1) {
		*errp = xasprintf("could not read random bytes: %s",
		    strerror(errno));
		return -1;
	}
	*token = xasprintf("%s%s", AUTH_TOKEN_PREFIX, hex);
	explicit_bzero(hex, sizeof(hex));
	if (auth_hash(*token, hash) == -1) {
		xfreezero_str(*token);
		*token = NULL;
		*errp = xstrdup("could not compute a SHA-256 digest");
		return -1;
	}
	return 0;
}

void
auth_caller_clear(struct auth_caller *c)
{
	free(c->name);
	xfreezero_str(c->csrf);
	memset(c, 0, sizeof(*c));
}

/* Look secret's hash up with sql; fill c from its row. Return 0 or -1. */
static int
auth_lookup(struct db *db, const char *sql, const char *secret,
    struct auth_caller *c, struct db_error *e)
{
	struct db_result	*r;
	unsigned char		 hash[AUTH_HASHLEN];
	char			 text[2 * AUTH_HASHLEN + 3];
	const char		*p[1] = { text };

	if (auth_hash(secret, hash) == -1)
		return 0;
	auth_hash_text(hash, text);
	if ((r = db_query(db, sql, 1, p, e)) == NULL)
		return -1;
	if (db_rows(r) == 1 && db_value(r, 0, 0) != NULL) {
		c->name = xstrdup(db_value(r, 0, 0));
		c->role = auth_role_parse(db_value(r, 0, 1));
		if (db_cols(r) > 2 && db_value(r, 0, 2) != NULL)
			c->csrf = xstrdup(db_value(r, 0, 2));
	}
	db_result_free(r);
	return 0;
}

int
auth_identify(struct db *db, const char *authz, const char *cookie,
    struct auth_caller *c, struct db_error *e)
{
	memset(c, 0, sizeof(*c));
	if (authz != NULL) {
		/* The scheme is case-insensitive (RFC 9110). */
		if (strncasecmp(authz, "Bearer ", 7) != 0)
			return 0;
		authz += 7;
		authz += strspn(authz, " ");
		if (*authz == '\0')
			return 0;
		return auth_lookup(db, token_auth_sql, authz, c, e);
	}
	if (cookie == NULL || *cookie == '\0')
		return 0;
	c->session = true;
	if (auth_lookup(db, session_auth_sql, cookie, c, e) == -1)
		return -1;
	if (c->name == NULL)
		c->session = false;
	return 0;
}

int
auth_decide(const struct serve_route *r, const struct auth_caller *c,
    bool read_only, const char *csrf, const char **why)
{
	if (r->role != SERVE_ROLE_NONE && c->name == NULL) {
		*why = "a valid token is needed (Authorization: Bearer TOKEN)";
		return 401;
	}
	if (c->role < r->role) {
		*why = "this needs the operator role";
		return 403;
	}
	if (r->mutates && read_only) {
		*why = "the server is read-only (--read-only)";
		return 403;
	}
	/* A session's cookie comes with every request the browser sends,
	 * whoever made the page: its mutations must prove they come from
	 * the console, which alone knows the CSRF token. */
	if (r->mutates && c->session && (csrf == NULL || c->csrf == NULL ||
	    strlen(csrf) != strlen(c->csrf) ||
	    CRYPTO_memcmp(csrf, c->csrf, strlen(csrf)) != 0)) {
		*why = "a session's change needs its CSRF token "
		    "(X-CSRF-Token)";
		return 403;
	}
	return 0;
}

/* Answer the caller as {"name", "role"[, "csrf"]}. */
static void
auth_answer(struct serve_resp *rs, int status, const char *name,
    const char *role, const char *csrf)
{
	json_t	*o;

	o = json_pack("{s:s, s:s}", "name", name, "role", role);
	if (csrf != NULL)
		json_object_set_new(o, "csrf", json_string(csrf));
	serve_json(rs, status, listing_json_text(o));
	json_decref(o);
}

/* The token of the sign-in's body {"token": "..."}, owned by root, or
 * NULL. */
static const char *
auth_body_token(json_t *root)
{
	json_t	*t;

	if (!json_is_object(root) || (t = json_object_get(root,
	    "token")) == NULL || !json_is_string(t))
		return NULL;
	return json_string_value(t);
}

/* Start the session of token; answer it. */
static void
auth_session_open(const struct serve_req *rq, struct serve_resp *rs,
    struct db *db, const char *token)
{
	struct db_result	*r;
	struct db_error		 e = { 0 };
	unsigned char		 th[AUTH_HASHLEN], sh[AUTH_HASHLEN];
	char			 sid[2 * AUTH_HASHLEN + 1];
	char			 csrf[2 * AUTH_HASHLEN + 1];
	char			 tt[2 * AUTH_HASHLEN + 3], st[2 * AUTH_HASHLEN + 3];
	char			*cookie;
	const char		*p[4] = { tt, st, csrf, AUTH_SESSION_TTL };

	if (auth_random_hex(sid, AUTH_HASHLEN) == -1 ||
	    auth_random_hex(csrf, AUTH_HASHLEN) == -1 ||
	    auth_hash(token, th) == -1 || auth_hash(sid, sh) == -1) {
		serve_error(rs, 500, "could not make a session");
		goto out;
	}
	auth_hash_text(th, tt);
	auth_hash_text(sh, st);
	if ((r = db_query(db, session_start_sql, 4, p, &e)) == NULL) {
		serve_db_error(rs, &e);
		goto out;
	}
	if (db_rows(r) != 1) {
		serve_header_add(rs, "WWW-Authenticate", "Bearer");
		serve_error(rs, 401, "unknown or revoked token");
	} else {
		cookie = xasprintf(AUTH_COOKIE "=%s; HttpOnly; "
		    "SameSite=Strict; Path=/%s", sid,
		    rq->secure ? "; Secure" : "");
		serve_header_add(rs, "Set-Cookie", cookie);
		xfreezero_str(cookie);
		auth_answer(rs, 200, db_value(r, 0, 0), db_value(r, 0, 1),
		    csrf);
	}
	db_result_free(r);
out:
	explicit_bzero(sid, sizeof(sid));
	explicit_bzero(csrf, sizeof(csrf));
	db_error_clear(&e);
}

void
auth_session_start(const struct serve_req *rq, struct serve_resp *rs)
{
	struct db_error	 e = { 0 };
	struct db	*db;
	json_t		*root;
	const char	*token;

	root = json_loadb(rq->body != NULL ? rq->body : "", rq->bodylen,
	    JSON_REJECT_DUPLICATES, NULL);
	if ((token = auth_body_token(root)) == NULL)
		serve_error(rs, 400, "the body must be {\"token\": \"...\"}");
	else if ((db = serve_db(rq, &e)) == NULL)
		serve_db_error(rs, &e);
	else
		auth_session_open(rq, rs, db, token);
	json_decref(root);
	db_error_clear(&e);
}

void
auth_session_get(const struct serve_req *rq, struct serve_resp *rs)
{
	struct auth_caller	 c;
	struct db_error		 e = { 0 };

	if (auth_identify(rq->db, NULL, serve_cookie(rq, AUTH_COOKIE), &c,
	    &e) == -1)
		serve_db_error(rs, &e);
	else
		auth_answer(rs, 200, rq->token, auth_role_name(rq->role),
		    rq->session ? c.csrf : NULL);
	auth_caller_clear(&c);
	db_error_clear(&e);
}

void
auth_session_end(const struct serve_req *rq, struct serve_resp *rs)
{
	struct db_result	*r = NULL;
	struct db_error		 e = { 0 };
	unsigned char		 h[AUTH_HASHLEN];
	char			 t[2 * AUTH_HASHLEN + 3];
	const char		*p[1] = { t }, *sid;

	sid = serve_cookie(rq, AUTH_COOKIE);
	if (rq->session && sid != NULL && auth_hash(sid, h) == 0) {
		auth_hash_text(h, t);
		if ((r = db_query(rq->db, session_end_sql, 1, p,
		    &e)) == NULL) {
			serve_db_error(rs, &e);
			db_error_clear(&e);
			return;
		}
	}
	serve_header_add(rs, "Set-Cookie", AUTH_COOKIE "=; HttpOnly; "
	    "SameSite=Strict; Path=/; Max-Age=0");
	serve_json(rs, 200, xasprintf("{\"ended\": %s}\n", r != NULL ?
	    "true" : "false"));
	db_result_free(r);
}
