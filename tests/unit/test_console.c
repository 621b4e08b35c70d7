/* test_console.c: unit tests for serve/console.c and the embedded files of
 * serve/assets.c: the table, the headers of every answer, 304 and 404. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "console.h"

/*
 * The server's side of the interface, as small stand-ins: the request's
 * If-None-Match header and the answer are what the handlers touch.
 */
static const char *if_none_match;

const char *
serve_header(const struct serve_req *rq, const char *name)
{
	(void)rq;
	return strcmp(name, "If-None-Match") == 0 ? if_none_match : NULL;
}

void
serve_text(struct serve_resp *rs, int status, const char *type,
    const char *text, size_t len)
{
	rs->status = status;
	rs->type = type;
	rs->body = malloc(len + 1);
	assert_non_null(rs->body);
	memcpy(rs->body, text, len);
	rs->body[len] = '\0';
	rs->len = len;
}

void
serve_error(struct serve_resp *rs, int status, const char *fmt, ...)
{
	rs->status = status;
	rs->type = NULL;
	rs->body = strdup(fmt);
	rs->len = strlen(fmt);
}

void
serve_header_add(struct serve_resp *rs, const char *name, const char *value)
{
	assert_true(rs->nhdr < SERVE_MAXHDR);
	rs->hdr[rs->nhdr] = name;
	rs->val[rs->nhdr] = strdup(value);
	rs->nhdr++;
}

static const char *
hdr(const struct serve_resp *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nhdr; i++)
		if (strcmp(rs->hdr[i], name) == 0)
			return rs->val[i];
	return NULL;
}

static void
resp_free(struct serve_resp *rs)
{
	size_t i;

	for (i = 0; i < rs->nhdr; i++)
		free(rs->val[i]);
	free(rs->body);
	memset(rs, 0, sizeof(*rs));
}

/* GET path's handler answer, with arg as its {file}. */
static void
get(serve_handler *fn, const char *arg, struct serve_resp *rs)
{
	struct serve_req rq;

	memset(&rq, 0, sizeof(rq));
	memset(rs, 0, sizeof(*rs));
	rq.method = "GET";
	rq.path = arg == NULL ? "/" : "/console/x";
	if (arg != NULL) {
		rq.arg[0] = arg;
		rq.narg = 1;
	}
	fn(&rq, rs);
}

static void
test_table(void **state)
{
	const struct console_asset *a, *b;

	(void)state;
	assert_non_null(console_asset_find("index.html"));
	assert_non_null(console_asset_find("console.js"));
	assert_non_null(console_asset_find("console.css"));
	assert_null(console_asset_find("nope.js"));
	for (a = console_assets; a->name != NULL; a++) {
		assert_non_null(a->type);
		assert_true(a->len > 0 && a->len == strlen(a->data));
		assert_true(a->etag[0] == '"' &&
		    a->etag[strlen(a->etag) - 1] == '"');
		for (b = a + 1; b->name != NULL; b++)
			assert_string_not_equal(a->etag, b->etag);
	}
}

#define SVG_NS	"http://www.w3.org/2000/svg\""

/* Nothing from another origin, no inline script: what the CSP enforces,
 * checked in the files themselves. */
static void
test_self_contained(void **state)
{
	const struct console_asset *a;
	const char *p;

	(void)state;
	for (a = console_assets; a->name != NULL; a++) {
		/* No URL but the SVG namespace, which is only a name. */
		for (p = a->data; (p = strstr(p, "http")) != NULL; p++)
			assert_memory_equal(p, SVG_NS, strlen(SVG_NS));
		assert_null(strstr(a->data, "//cdn"));
		assert_null(strstr(a->data, "@import"));
		assert_null(strstr(a->data, "innerHTML"));
		assert_null(strstr(a->data, "eval("));
		for (p = a->data; (p = strstr(p, "<script")) != NULL; p++)
			assert_true(strstr(p, " src=\"/console/") <
			    strchr(p, '>'));
	}
}

static void
test_index(void **state)
{
	struct serve_resp rs;
	const char *csp;

	(void)state;
	if_none_match = NULL;
	get(console_index, NULL, &rs);
	assert_int_equal(rs.status, 200);
	assert_string_equal(rs.type, "text/html; charset=utf-8");
	assert_non_null(strstr(rs.body, "<form id=\"signin-form\">"));
	csp = hdr(&rs, "Content-Security-Policy");
	assert_non_null(csp);
	assert_non_null(strstr(csp, "default-src 'self'"));
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	assert_null(strstr(csp, "unsafe"));
	assert_string_equal(hdr(&rs, "X-Content-Type-Options"), "nosniff");
	assert_string_equal(hdr(&rs, "Referrer-Policy"), "no-referrer");
	assert_string_equal(hdr(&rs, "X-Frame-Options"), "DENY");
	assert_string_equal(hdr(&rs, "ETag"),
	    console_asset_find("index.html")->etag);
	assert_non_null(hdr(&rs, "Cache-Control"));
	resp_free(&rs);
}

static void
test_not_modified(void **state)
{
	struct serve_resp rs;
	const struct console_asset *js = console_asset_find("console.js");
	char list[128];

	(void)state;
	snprintf(list, sizeof(list), "\"0000\", %s", js->etag);
	if_none_match = list;
	get(console_file, "console.js", &rs);
	assert_int_equal(rs.status, 304);
	assert_int_equal(rs.len, 0);
	assert_string_equal(hdr(&rs, "ETag"), js->etag);
	resp_free(&rs);

	if_none_match = "\"0000\"";
	get(console_file, "console.js", &rs);
	assert_int_equal(rs.status, 200);
	assert_string_equal(rs.type, "text/javascript; charset=utf-8");
	assert_int_equal(rs.len, js->len);
	assert_non_null(hdr(&rs, "Content-Security-Policy"));
	resp_free(&rs);
	if_none_match = NULL;
}

static void
test_unknown_file(void **state)
{
	struct serve_resp rs;

	(void)state;
	get(console_file, "nope.js", &rs);
	assert_int_equal(rs.status, 404);
	resp_free(&rs);
	/* The page has one address, /. */
	get(console_file, "index.html", &rs);
	assert_int_equal(rs.status, 404);
	resp_free(&rs);
	get(console_file, "", &rs);
	assert_int_equal(rs.status, 404);
	resp_free(&rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_self_contained),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_not_modified),
		cmocka_unit_test(test_unknown_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
