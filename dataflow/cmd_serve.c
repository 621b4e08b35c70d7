/* cmd_serve.c: "dataflow serve": the HTTP API and console (SPEC 9), in the
 * foreground until SIGTERM or SIGINT; options from the command line over
 * the serve.* keys of dataflow.properties. */
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataflow.h"
#include "db.h"
#include "duration.h"
#include "exitcodes.h"
#include "fileio.h"
#include "http.h"
#include "layout.h"
#include "open.h"
#include "pool.h"
#include "process.h"
#include "properties.h"
#include "settings.h"
#include "strbuf.h"
#include "xmalloc.h"

#define SERVE_TLS_MAX	(1024 * 1024)	/* bytes of a certificate or key */

/* What dataflow serve is told, before it becomes an http_conf. */
struct serve_opts {
	struct http_conf c;
	char		*listen;	/* ADDR:PORT */
	char		*addr;		/* its address, unbracketed */
	char		*tls_cert;	/* file names */
	char		*tls_key;
	char		*cert_pem;	/* their contents */
	char		*key_pem;
	char		**hosts;
	size_t		 nhosts;
	long		 stmt_timeout;	/* seconds */
};

static void
serve_defaults(struct serve_opts *so)
{
	memset(so, 0, sizeof(*so));
	so->listen = xstrdup("127.0.0.1:8080");
	so->c.threads = 4;
	so->c.max_body = 1024 * 1024;
	so->c.max_header = 16 * 1024;
	so->c.idle_timeout = 30;
	so->c.max_connections = 256;
	so->c.max_per_client = 32;
	so->stmt_timeout = 10;
}

static void
serve_opts_free(struct serve_opts *so)
{
	size_t	 i;

	free(so->listen);
	free(so->addr);
	free(so->tls_cert);
	free(so->tls_key);
	for (i = 0; i < so->nhosts; i++)
		free(so->hosts[i]);
	free(so->hosts);
	xfreezero_str(so->key_pem);
	free(so->cert_pem);
}

static void
serve_set(char **slot, const char *v)
{
	free(*slot);
	*slot = xstrdup(v);
}

/* Add the comma-separated Host names of v. */
static void
serve_add_hosts(struct serve_opts *so, const char *v)
{
	const char	*p = v;
	size_t		 n;

	while (*p != '\0') {
		n = strcspn(p, ", ");
		if (n > 0) {
			so->hosts = xreallocarray(so->hosts, so->nhosts + 1,
			    sizeof(*so->hosts));
			so->hosts[so->nhosts++] = xstrndup(p, n);
		}
		p += n;
		p += strspn(p, ", ");
	}
}

/* Parse a count or size ("1048576", "64k", "1M") of at least 1 into *n.
 * Return 0, or -1. */
static int
serve_number(const char *v, unsigned long *n)
{
	char		*end;
	unsigned long	 x;

	errno = 0;
	x = strtoul(v, &end, 10);
	if (errno != 0 || end == v || x == 0 || v[0] == '-')
		return -1;
	if (strcasecmp(end, "k") == 0 || strcasecmp(end, "KiB") == 0)
		x *= 1024;
	else if (strcasecmp(end, "M") == 0 || strcasecmp(end, "MiB") == 0)
		x *= 1024 * 1024;
	else if (*end != '\0')
		return -1;
	if (x > 1024UL * 1024 * 1024)
		return -1;
	*n = x;
	return 0;
}

/* Parse a boolean ("true", "yes", "on", "1" and their opposites). */
static int
serve_bool(const char *v, bool *b)
{
	if (strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
	    strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0)
		*b = true;
	else if (strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0 ||
	    strcasecmp(v, "off") == 0 || strcmp(v, "0") == 0)
		*b = false;
	else
		return -1;
	return 0;
}

/* Set what key (a serve.* key without "serve.", or a long option) says.
 * Return NULL, or why v is not a value of key (static). */
static const char *
serve_apply(struct serve_opts *so, const char *key, const char *v)
{
	unsigned long	 n;
	long		 secs;
	const char	*why;

	if (strcmp(key, "listen") == 0)
		serve_set(&so->listen, v);
	else if (strcmp(key, "read_only") == 0 || strcmp(key,
	    "behind_proxy") == 0)
		return serve_bool(v, key[0] == 'r' ? &so->c.read_only :
		    &so->c.behind_proxy) == -1 ? "not true or false" : NULL;
	else if (strcmp(key, "hosts") == 0)
		serve_add_hosts(so, v);
	else if (strcmp(key, "tls_cert") == 0)
		serve_set(&so->tls_cert, v);
	else if (strcmp(key, "tls_key") == 0)
		serve_set(&so->tls_key, v);
	else if (strcmp(key, "idle_timeout") == 0 ||
	    strcmp(key, "statement_timeout") == 0) {
		if ((why = duration_check(v, &secs)) != NULL)
			return why;
		if (secs <= 0 || secs > 86400)
			return "not between 1 s and a day";
		if (key[0] == 'i')
			so->c.idle_timeout = (unsigned)secs;
		else
			so->stmt_timeout = secs;
	} else {
		if (serve_number(v, &n) == -1)
			return "not a positive number (a size may end in k "
			    "or M)";
		if (strcmp(key, "threads") == 0)
			so->c.threads = n > 256 ? 256 : (unsigned)n;
		else if (strcmp(key, "max_body") == 0)
			so->c.max_body = n;
		else if (strcmp(key, "max_header") == 0)
			so->c.max_header = n;
		else if (strcmp(key, "max_connections") == 0)
			so->c.max_connections = (unsigned)n;
		else if (strcmp(key, "max_per_client") == 0)
			so->c.max_per_client = (unsigned)n;
		else
			return "not a serve key";
	}
	return NULL;
}

/*
 * Apply the serve.* keys of the properties file dataflow uses. Return 0,
 * or -1 after saying which key is wrong.
 */
static int
serve_properties(const struct global_opts *g, struct serve_opts *so)
{
	struct properties	*p;
	const struct property	*it;
	const char		*why;
	char			*path, *errmsg = NULL;
	size_t			 i;
	int			 rc = 0;

	if ((path = properties_find(g->config, &errmsg)) == NULL) {
		/* open_settings says it again, with the exit status. */
		free(errmsg);
		return 0;
	}
	if ((p = properties_load(path, &errmsg)) == NULL) {
		free(path);
		free(errmsg);
		return 0;
	}
	for (i = 0; i < p->n && rc == 0; i++) {
		it = &p->items[i];
		if (strncmp(it->key, "serve.", 6) != 0 || it->value[0] == '\0')
			continue;
		if ((why = serve_apply(so, it->key + 6, it->value)) != NULL) {
			warnx("%s:%d: %s: %s", path, it->line, it->key, why);
			rc = -1;
		}
	}
	properties_free(p);
	free(path);
	return rc;
}

/* Split so->listen into so->addr and port. Return 0, or -1. */
static int
serve_listen(struct serve_opts *so)
{
	const char	*l = so->listen, *colon;
	char		*end;
	unsigned long	 port;

	if (l[0] == '[') {
		if ((colon = strstr(l, "]:")) == NULL)
			return -1;
		so->addr = xstrndup(l + 1, (size_t)(colon - l - 1));
		colon++;
	} else {
		if ((colon = strrchr(l, ':')) == NULL)
			return -1;
		so->addr = xstrndup(l, (size_t)(colon - l));
	}
	if (strcmp(so->addr, "localhost") == 0)
		serve_set(&so->addr, "127.0.0.1");
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || *end != '\0' || port > 65535)
		return -1;
	so->c.addr = so->addr;
	so->c.port = (unsigned)port;
	return 0;
}

/* Whether addr is a loopback address (127.0.0.0/8, ::1). */
static bool
serve_loopback(const char *addr)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

/* Read the PEM file path into *text (caller frees). Return 0, or -1. */
static int
serve_read_pem(const char *path, char **text)
{
	struct strbuf	 sb = STRBUF_INIT;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		warn("could not open \"%s\"", path);
		return -1;
	}
	if (fileio_read_all(fd, &sb, SERVE_TLS_MAX) == -1) {
		warn("could not read \"%s\"", path);
		close(fd);
		strbuf_free(&sb);
		return -1;
	}
	close(fd);
	*text = strbuf_detach(&sb);
	return 0;
}

/* Check and complete so. Return 0 or the exit status. */
static int
serve_check(struct serve_opts *so)
{
	if (serve_listen(so) == -1) {
		warnx("--listen \"%s\": not ADDR:PORT (127.0.0.1:8080, "
		    "[::1]:8080)", so->listen);
		return EXIT_USAGE;
	}
	if ((so->tls_cert == NULL) != (so->tls_key == NULL)) {
		warnx("--tls-cert and --tls-key go together");
		return EXIT_USAGE;
	}
	if (!serve_loopback(so->addr) && so->tls_cert == NULL &&
	    !so->c.behind_proxy) {
		warnx("refusing to listen on %s: it is not a loopback address "
		    "and there is no TLS (--tls-cert and --tls-key, or "
		    "--behind-proxy behind a TLS proxy)", so->listen);
		return EXIT_CONFIG;
	}
	if (so->tls_cert != NULL && (serve_read_pem(so->tls_cert,
	    &so->cert_pem) == -1 || serve_read_pem(so->tls_key,
	    &so->key_pem) == -1))
		return EXIT_CONFIG;
	so->c.tls_cert = so->cert_pem;
	so->c.tls_key = so->key_pem;
	so->c.hosts = so->hosts;
	so->c.nhosts = so->nhosts;
	return 0;
}

/* Parse the command line over so. Return 0, or -1 (usage). */
static int
serve_args(struct serve_opts *so, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen",	required_argument,	NULL, 'l' },
		{ "read-only",	no_argument,		NULL, 'r' },
		{ "behind-proxy", no_argument,		NULL, 'b' },
		{ "tls-cert",	required_argument,	NULL, 'c' },
		{ "tls-key",	required_argument,	NULL, 'k' },
		{ "host",	required_argument,	NULL, 'H' },
		{ "threads",	required_argument,	NULL, 't' },
		{ NULL,		0,			NULL, 0 }
	};
	const char	*why;
	int		 ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		why = NULL;
		switch (ch) {
		case 'l':
			serve_set(&so->listen, optarg);
			break;
		case 'r':
			so->c.read_only = true;
			break;
		case 'b':
			so->c.behind_proxy = true;
			break;
		case 'c':
			serve_set(&so->tls_cert, optarg);
			break;
		case 'k':
			serve_set(&so->tls_key, optarg);
			break;
		case 'H':
			serve_add_hosts(so, optarg);
			break;
		case 't':
			why = serve_apply(so, "threads", optarg);
			break;
		default:
			return -1;
		}
		if (why != NULL) {
			warnx("--threads %s: %s", optarg, why);
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

/* Serve until SIGTERM or SIGINT. Return the exit status. */
static int
serve_run(struct serve_opts *so, const struct open_opts *oo,
    const struct settings *s)
{
	struct http_server	*srv;
	sigset_t		 set, old;
	char			*errmsg = NULL;
	int			 sig;

	/* Blocked before the threads start: they inherit the mask, and the
	 * signals wait for sigwait below. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	signal(SIGPIPE, SIG_IGN);
	pool_init(oo, s, so->stmt_timeout * 1000);
	layout_init(process_which("dot"));
	if ((srv = http_start(&so->c, &errmsg)) == NULL) {
		warnx("%s", errmsg);
		free(errmsg);
		layout_free();
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		return EXIT_CONFIG;
	}
	fprintf(stderr, "dataflow serve: listening on %s%s%s:%u%s%s\n",
	    strchr(so->addr, ':') != NULL ? "[" : "", so->addr,
	    strchr(so->addr, ':') != NULL ? "]" : "", http_port(srv),
	    so->c.tls_cert != NULL ? " (TLS)" : "",
	    so->c.read_only ? " (read-only)" : "");
	if (layout_dot() != NULL)
		fprintf(stderr, "dataflow serve: the graph laid out by %s\n",
		    layout_dot());
	else
		fprintf(stderr, "dataflow serve: no Graphviz dot on PATH: "
		    "the console lays the graph out itself\n");
	do {
		if (sigwait(&set, &sig) != 0)
			sig = SIGTERM;
	} while (sig == SIGHUP);
	fprintf(stderr, "dataflow serve: stopping (%s)\n", strsignal(sig));
	http_stop(srv);
	pool_close();
	layout_free();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return EXIT_OK;
}

static int
cmd_serve_exec(struct global_opts *g, int argc, char **argv)
{
	struct serve_opts	 so;
	struct open_opts	 oo;
	struct settings		*s = NULL;
	char			*errmsg = NULL;
	int			 status;

	serve_defaults(&so);
	if (serve_properties(g, &so) == -1) {
		status = EXIT_CONFIG;
		goto out;
	}
	if (serve_args(&so, argc, argv) == -1) {
		status = cmd_usage(&cmd_serve_entry);
		goto out;
	}
	if ((status = serve_check(&so)) != 0)
		goto out;
	memset(&oo, 0, sizeof(oo));
	oo.config = g->config;
	/* The server never holds the passkey (SPEC 9). */
	oo.passkey = OPEN_PASSKEY_NEVER;
	oo.appname = "dataflow serve";
	oo.db_flags = DB_SEARCH_PATH;
	oo.report.fn = cmd_open_report;
	if ((status = open_settings(&oo, &s, &errmsg)) != EXIT_OK) {
		warnx("%s", errmsg);
		free(errmsg);
		goto out;
	}
	if (s->encrypted != NULL && s->password == NULL) {
		warnx("%s: the database password is encrypted, and the server "
		    "never holds the passkey: give its role a password in "
		    "clear (password=) or another authentication", s->path);
		status = EXIT_CONFIG;
		goto out;
	}
	status = serve_run(&so, &oo, s);
out:
	settings_free(s);
	serve_opts_free(&so);
	return status;
}

const struct cmd_entry cmd_serve_entry = {
	"serve", "[--listen ADDR:PORT] [--read-only] [--behind-proxy] "
	"[--tls-cert FILE --tls-key FILE] [--host NAME]... [--threads N]",
	"the HTTP API and web console", cmd_serve_exec
};
