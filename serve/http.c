/* http.c: libmicrohttpd glue of "dataflow serve": limits, the Host
 * allowlist, the body (collected here, no MHD_PostProcessor), the caller,
 * routing, the response on the handler's second call, the request log. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <microhttpd.h>

#include "auth.h"
#include "db.h"
#include "http.h"
#include "pool.h"
#include "route.h"
#include "serve.h"
#include "xmalloc.h"

#define HTTP_LOG_PATH	200	/* bytes of a path the log keeps */
#define HTTP_HEADER_SLACK 8192	/* MHD's own buffers besides headers */

struct http_server {
	struct MHD_Daemon	*mhd;
	const struct http_conf	*conf;
};

/* One request: http.c's state, behind serve_req.impl. */
struct http_req {
	struct serve_req	 rq;
	struct MHD_Connection	*conn;
	const struct http_conf	*conf;
	struct timespec		 start;
	char			*body;
	size_t			 len;
	bool			 too_big;
	char			*args[SERVE_MAXARG];
	struct auth_caller	 caller;
	char			*who;
	char			**decoded;	/* serve_query's answers */
	size_t			 ndecoded;
};

const char *
serve_header(const struct serve_req *rq, const char *name)
{
	const struct http_req	*hr = rq->impl;

	return MHD_lookup_connection_value(hr->conn, MHD_HEADER_KIND, name);
}

const char *
serve_cookie(const struct serve_req *rq, const char *name)
{
	const struct http_req	*hr = rq->impl;

	return MHD_lookup_connection_value(hr->conn, MHD_COOKIE_KIND, name);
}

const char *
serve_query(const struct serve_req *rq, const char *name)
{
	struct http_req	*hr = rq->impl;
	const char	*raw;
	char		*v;

	/* The query is left as received (http_unescape): decode it here. */
	raw = MHD_lookup_connection_value(hr->conn, MHD_GET_ARGUMENT_KIND,
	    name);
	if (raw == NULL || (v = route_decode(raw, strlen(raw), false)) == NULL)
		return NULL;
	hr->decoded = xreallocarray(hr->decoded, hr->ndecoded + 1,
	    sizeof(*hr->decoded));
	hr->decoded[hr->ndecoded++] = v;
	return v;
}

struct db *
serve_db(const struct serve_req *rq, struct db_error *e)
{
	(void)rq;
	return pool_db(e);
}

bool
http_host_allowed(const struct http_conf *c, const char *host)
{
	const char	*end;
	size_t		 len, i;

	if (host[0] == '[') {
		host++;
		if ((end = strchr(host, ']')) == NULL)
			return false;
		len = (size_t)(end - host);
	} else
		len = strcspn(host, ":");
	if (len == 0)
		return false;
	/* Loopback is this host whatever it listens on: no other site's
	 * page can be served from these names. */
	if ((len == 9 && strncasecmp(host, "localhost", 9) == 0) ||
	    (len == 9 && strncmp(host, "127.0.0.1", 9) == 0) ||
	    (len == 3 && strncmp(host, "::1", 3) == 0) ||
	    (strlen(c->addr) == len && strncasecmp(host, c->addr, len) == 0))
		return true;
	for (i = 0; i < c->nhosts; i++)
		if (strlen(c->hosts[i]) == len &&
		    strncasecmp(host, c->hosts[i], len) == 0)
			return true;
	return false;
}

/* The request log: one line per answer, never a token, cookie or query. */
static void
http_log(const struct http_req *hr, const char *method, const char *path,
    int status)
{
	struct timespec	 now;
	struct tm	 tm;
	time_t		 t;
	char		 when[32], safe[HTTP_LOG_PATH + 1];
	long		 ms;
	size_t		 i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - hr->start.tv_sec) * 1000 +
	    (now.tv_nsec - hr->start.tv_nsec) / 1000000;
	/* What a client sent: no control bytes into the log. */
	for (i = 0; i < HTTP_LOG_PATH && path[i] != '\0'; i++)
		safe[i] = (unsigned char)path[i] < 0x21 ||
		    (unsigned char)path[i] >= 0x7f ? '?' : path[i];
	safe[i] = '\0';
	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s %s %d %ldms %s\n", when, method, safe, status,
	    ms, hr->caller.name != NULL ? hr->caller.name : "-");
}

/* Queue rs (its body and headers are taken). */
static enum MHD_Result
http_send(struct http_req *hr, struct serve_resp *rs, const char *method,
    const char *path)
{
	struct MHD_Response	*r;
	enum MHD_Result		 ret;
	size_t			 i;

	if (rs->status == 0) {
		free(rs->body);
		rs->body = NULL;
		serve_error(rs, 500, "the handler gave no answer");
	}
	r = MHD_create_response_from_buffer(rs->len, rs->body,
	    MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(rs->body);
		for (i = 0; i < rs->nhdr; i++)
			free(rs->val[i]);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    rs->type != NULL ? rs->type : "application/json");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	for (i = 0; i < rs->nhdr; i++) {
		MHD_add_response_header(r, rs->hdr[i], rs->val[i]);
		free(rs->val[i]);
	}
	http_log(hr, method, path, rs->status);
	ret = MHD_queue_response(hr->conn, (unsigned int)rs->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Answer status with {"error": msg}. */
static enum MHD_Result
http_fail(struct http_req *hr, int status, const char *method,
    const char *path, const char *msg)
{
	struct serve_resp	 rs;

	memset(&rs, 0, sizeof(rs));
	serve_error(&rs, status, "%s", msg);
	if (status == 401)
		serve_header_add(&rs, "WWW-Authenticate", "Bearer");
	return http_send(hr, &rs, method, path);
}

/* Answer 405 with the methods the path takes (RFC 9110: Allow). */
static enum MHD_Result
http_not_allowed(struct http_req *hr, const char *method, const char *path)
{
	struct serve_resp	 rs;
	char			 allow[64];

	memset(&rs, 0, sizeof(rs));
	serve_error(&rs, 405, "the path does not take %s", method);
	serve_header_add(&rs, "Allow", route_allow(serve_routes, path, allow,
	    sizeof(allow)));
	return http_send(hr, &rs, method, path);
}

/* Whether the request's Content-Type is JSON ("application/json", maybe
 * with parameters). */
static bool
http_is_json(const struct http_req *hr)
{
	const char	*t;

	t = MHD_lookup_connection_value(hr->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	return t != NULL && strncasecmp(t, "application/json", 16) == 0 &&
	    (t[16] == '\0' || t[16] == ';' || t[16] == ' ');
}

/*
 * Identify the caller on this thread's connection. A connection found
 * lost (the database restarted since its last use) is re-established and
 * the lookup, which changes nothing but last_used, made once more. Return
 * 0, or -1 with *e filled.
 */
static int
http_identify(struct http_req *hr, struct db_error *e)
{
	const char	*authz, *cookie;
	int		 tries;

	authz = MHD_lookup_connection_value(hr->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	cookie = MHD_lookup_connection_value(hr->conn, MHD_COOKIE_KIND,
	    AUTH_COOKIE);
	for (tries = 0; tries < 2; tries++) {
		db_error_clear(e);
		if ((hr->rq.db = pool_db(e)) == NULL)
			return -1;
		if (auth_identify(hr->rq.db, authz, cookie, &hr->caller,
		    e) == 0)
			return 0;
		if (e->kind != DB_ERR_LOST)
			break;
	}
	return -1;
}

/*
 * Who calls, and may they call r: 0, or the status of the refusal already
 * answered in *ret.
 */
static int
http_admit(struct http_req *hr, const struct serve_route *r,
    const char *method, const char *path, enum MHD_Result *ret)
{
	struct db_error	 e = { 0 };
	struct serve_resp rs;
	const char	*why;
	int		 status;

	if (r->role == SERVE_ROLE_NONE)
		return 0;
	if (http_identify(hr, &e) == -1) {
		memset(&rs, 0, sizeof(rs));
		serve_db_error(&rs, &e);
		db_error_clear(&e);
		*ret = http_send(hr, &rs, method, path);
		return rs.status;
	}
	if ((status = auth_decide(r, &hr->caller, hr->conf->read_only,
	    MHD_lookup_connection_value(hr->conn, MHD_HEADER_KIND,
	    AUTH_CSRF_HEADER), &why)) != 0) {
		*ret = http_fail(hr, status, method, path, why);
		return status;
	}
	return 0;
}

/* The whole request is in: route, admit, run the handler, answer. */
static enum MHD_Result
http_dispatch(struct http_req *hr, const char *method, const char *path)
{
	const struct serve_route *r;
	struct serve_resp	 rs;
	enum MHD_Result		 ret = MHD_NO;
	const char		*host;
	int			 status;

	host = MHD_lookup_connection_value(hr->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_HOST);
	if (host == NULL)
		return http_fail(hr, 400, method, path, "a Host header is "
		    "needed");
	/* DNS rebinding: a page of another site must not reach us by a
	 * name that resolves here. */
	if (!http_host_allowed(hr->conf, host))
		return http_fail(hr, 421, method, path, "this server does not "
		    "answer to that Host name (--host adds one)");
	if (hr->too_big)
		return http_fail(hr, 413, method, path, "the body is over the "
		    "limit (serve.max_body)");
	if ((r = route_match(serve_routes, method, path, hr->args,
	    &hr->rq.narg, &status)) == NULL)
		return status == 405 ? http_not_allowed(hr, method, path) :
		    http_fail(hr, status, method, path, status == 404 ?
		    "no such path" : "a path parameter is not valid");
	if (http_admit(hr, r, method, path, &ret) != 0)
		return ret;
	if (strcmp(method, "POST") == 0 && !http_is_json(hr))
		return http_fail(hr, 415, method, path, "the body must be "
		    "JSON (Content-Type: application/json)");
	memcpy(hr->rq.arg, hr->args, sizeof(hr->rq.arg));
	hr->rq.body = hr->body;
	hr->rq.bodylen = hr->len;
	hr->rq.role = hr->caller.role;
	hr->rq.token = hr->caller.name;
	hr->rq.session = hr->caller.session;
	if (hr->caller.name != NULL)
		hr->rq.who = hr->who = xasprintf("api:%s", hr->caller.name);
	memset(&rs, 0, sizeof(rs));
	r->fn(&hr->rq, &rs);
	return http_send(hr, &rs, method, path);
}

/* The first call of a request: its state, and a body refused up front. */
static enum MHD_Result
http_begin(const struct http_conf *c, struct MHD_Connection *conn,
    const char *method, const char *url, void **con_cls)
{
	struct http_req	*hr;
	const char	*cl;
	char		*end;
	unsigned long long n;

	hr = xcalloc(1, sizeof(*hr));
	clock_gettime(CLOCK_MONOTONIC, &hr->start);
	hr->conn = conn;
	hr->conf = c;
	hr->rq.impl = hr;
	hr->rq.method = method;
	hr->rq.path = url;
	hr->rq.secure = c->tls_cert != NULL || c->behind_proxy;
	*con_cls = hr;
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		n = strtoull(cl, &end, 10);
		if (*end == '\0' && n > c->max_body)
			return http_fail(hr, 413, method, url, "the body is "
			    "over the limit (serve.max_body)");
	}
	return MHD_YES;
}

static enum MHD_Result
http_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	const struct http_server *srv = cls;
	const struct http_conf	*c = srv->conf;
	struct http_req		*hr = *con_cls;

	(void)version;
	if (hr == NULL)
		return http_begin(c, conn, method, url, con_cls);
	if (*upload_data_size > 0) {
		if (hr->too_big || *upload_data_size > c->max_body - hr->len)
			hr->too_big = true;
		else {
			hr->body = xreallocarray(hr->body, hr->len +
			    *upload_data_size + 1, 1);
			memcpy(hr->body + hr->len, upload_data,
			    *upload_data_size);
			hr->len += *upload_data_size;
			hr->body[hr->len] = '\0';
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	return http_dispatch(hr, method, url);
}

/* A request ends (answered, or the connection closed): free its state. */
static void
http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_req	*hr = *con_cls;
	size_t		 i;

	(void)cls;
	(void)conn;
	(void)toe;
	if (hr == NULL)
		return;
	for (i = 0; i < SERVE_MAXARG; i++)
		free(hr->args[i]);
	for (i = 0; i < hr->ndecoded; i++)
		free(hr->decoded[i]);
	free(hr->decoded);
	auth_caller_clear(&hr->caller);
	free(hr->who);
	free(hr->body);
	free(hr);
	*con_cls = NULL;
}

/* Leave the path as received: route.c decodes each parameter itself, so
 * that an encoded '/' stays inside its segment (and is refused there). */
static size_t
http_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	return strlen(s);
}

static void
http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("dataflow serve: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* Fill ss with c's address and port. Return its length, or 0. */
static socklen_t
http_sockaddr(const struct http_conf *c, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, c->addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)c->port);
		return sizeof(*sin);
	}
	if (inet_pton(AF_INET6, c->addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)c->port);
		return sizeof(*sin6);
	}
	return 0;
}

struct http_server *
http_start(const struct http_conf *c, char **errp)
{
	struct http_server	*srv;
	struct sockaddr_storage	 ss;
	unsigned int		 flags;

	if (http_sockaddr(c, &ss) == 0) {
		*errp = xasprintf("\"%s\" is not an IPv4 or IPv6 address",
		    c->addr);
		return NULL;
	}
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (c->tls_cert != NULL) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			*errp = xstrdup("this libmicrohttpd has no TLS: use a "
			    "TLS proxy (--behind-proxy)");
			return NULL;
		}
		flags |= MHD_USE_TLS;
	}
	srv = xcalloc(1, sizeof(*srv));
	srv->conf = c;
	srv->mhd = MHD_start_daemon(flags, 0, NULL, NULL, http_access, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, c->threads,
	    MHD_OPTION_CONNECTION_LIMIT, c->max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, c->max_per_client,
	    MHD_OPTION_CONNECTION_TIMEOUT, c->idle_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		c->max_header + (size_t)HTTP_HEADER_SLACK,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, NULL,
	    MHD_OPTION_UNESCAPE_CALLBACK, http_unescape, NULL,
	    c->tls_cert != NULL ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
		c->tls_cert,
	    MHD_OPTION_HTTPS_MEM_KEY, c->tls_key,
	    MHD_OPTION_END);
	if (srv->mhd == NULL) {
		*errp = xasprintf("could not listen on %s port %u (in use, or "
		    "not an address of this host?)", c->addr, c->port);
		free(srv);
		return NULL;
	}
	return srv;
}

unsigned
http_port(const struct http_server *srv)
{
	const union MHD_DaemonInfo	*info;

	info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
	return info != NULL ? info->port : 0;
}

void
http_stop(struct http_server *srv)
{
	if (srv == NULL)
		return;
	MHD_stop_daemon(srv->mhd);
	free(srv);
}
