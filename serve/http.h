/* http.h: the HTTP server of "dataflow serve" on libmicrohttpd: limits,
 * Host allowlist, callers, routing, the request log. */
#ifndef DF_SERVE_HTTP_H
#define DF_SERVE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* What the server is told (cmd_serve.c resolves options and properties). */
struct http_conf {
	const char	*addr;		/* numeric IPv4 or IPv6 address */
	unsigned	 port;		/* 0: any free port (see http_port) */
	bool		 read_only;	/* refuse every mutating route */
	bool		 behind_proxy;	/* a TLS proxy in front: Secure
					   cookies */
	const char	*tls_cert;	/* PEM text, or NULL: no TLS */
	const char	*tls_key;	/* PEM text (with tls_cert) */
	char *const	*hosts;		/* Host names served besides localhost
					   and addr */
	size_t		 nhosts;
	unsigned	 threads;	/* worker threads, each with its own
					   connection to the database */
	size_t		 max_body;	/* bytes; over it: 413 */
	size_t		 max_header;	/* bytes of a request's headers, about */
	unsigned	 idle_timeout;	/* seconds a connection may idle */
	unsigned	 max_connections;
	unsigned	 max_per_client;
};

struct http_server;

/*
 * Start serving with c (kept by the caller until http_stop) on its own
 * threads. Return the server, or NULL with *errp (caller frees).
 */
struct http_server *http_start(const struct http_conf *c, char **errp);
/* Return the port the server listens on. */
unsigned	 http_port(const struct http_server *srv);
/* Stop serving: close the listening socket and every connection, wait for
 * the threads, free srv. NULL is a no-op. */
void		 http_stop(struct http_server *srv);
/*
 * Return whether a request's Host header value (host[:port]) names one of
 * the names served: "localhost", c->addr or one of c->hosts, compared
 * without case.
 */
bool		 http_host_allowed(const struct http_conf *c,
		    const char *host);

#endif
