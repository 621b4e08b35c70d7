/* console.c: the web console's pages (SPEC 9): GET / and its files, served
 * from the binary with headers that keep the page to its own origin. */
#include <stdlib.h>
#include <string.h>

#include "console.h"

/*
 * Nothing but this server: no inline script or style, no frame around the
 * page, no form posted elsewhere. The page only ever talks to the API.
 */
#define CONSOLE_CSP \
	"default-src 'self'; script-src 'self'; style-src 'self'; " \
	"img-src 'self'; connect-src 'self'; object-src 'none'; " \
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

const struct console_asset *
console_asset_find(const char *name)
{
	const struct console_asset *a;

	for (a = console_assets; a->name != NULL; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

/* Whether the client's If-None-Match names etag (or is "*"). */
static bool
console_fresh(const struct serve_req *rq, const char *etag)
{
	const char *inm;

	inm = serve_header(rq, "If-None-Match");
	if (inm == NULL)
		return false;
	return strcmp(inm, "*") == 0 || strstr(inm, etag) != NULL;
}

/* Answer with asset a, or 304 when the client has it already. */
static void
console_send(const struct serve_req *rq, struct serve_resp *rs,
    const struct console_asset *a)
{
	if (console_fresh(rq, a->etag))
		serve_text(rs, 304, a->type, "", 0);
	else
		serve_text(rs, 200, a->type, a->data, a->len);
	/* Revalidated each time (the names do not change with the
	 * content), never stored by a shared cache. */
	serve_header_add(rs, "ETag", a->etag);
	serve_header_add(rs, "Cache-Control", "private, no-cache");
	serve_header_add(rs, "Content-Security-Policy", CONSOLE_CSP);
	serve_header_add(rs, "X-Content-Type-Options", "nosniff");
	serve_header_add(rs, "Referrer-Policy", "no-referrer");
	serve_header_add(rs, "X-Frame-Options", "DENY");
}

void
console_index(const struct serve_req *rq, struct serve_resp *rs)
{
	const struct console_asset *a;

	if ((a = console_asset_find("index.html")) == NULL) {
		serve_error(rs, 404, "the console is not built in");
		return;
	}
	console_send(rq, rs, a);
}

void
console_file(const struct serve_req *rq, struct serve_resp *rs)
{
	const struct console_asset *a;

	/* index.html only at /, so that the page has one address. */
	if (rq->narg != 1 || strcmp(rq->arg[0], "index.html") == 0 ||
	    (a = console_asset_find(rq->arg[0])) == NULL) {
		serve_error(rs, 404, "no such file in the console");
		return;
	}
	console_send(rq, rs, a);
}
