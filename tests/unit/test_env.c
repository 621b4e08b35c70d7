/* test_env.c: unit tests of lib/env.c, the environment of a job's script. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "claim.h"
#include "config.h"
#include "diag.h"
#include "env.h"
#include "xmalloc.h"

/* Return the value of name in env, or NULL; fail if it appears twice. */
static const char *
getv(char **env, const char *name)
{
	const char	*found = NULL;
	size_t		 i, len = strlen(name);

	for (i = 0; env[i] != NULL; i++) {
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=') {
			assert_null(found);
			found = env[i] + len + 1;
		}
	}
	return found;
}

static size_t
count(char **env)
{
	size_t	 n = 0;

	while (env[n] != NULL)
		n++;
	return n;
}

/* A claim of job "load" on 2025-11-20: input raw, output clean. */
static void
make_claim(struct claim *c)
{
	memset(c, 0, sizeof(*c));
	c->outcome = CLAIM_CLAIMED;
	c->run_id = 42;
	c->dataid = xstrdup("2025-11-20");
	c->attempt = 2;
	c->nparams = 2;
	c->params = xcalloc(2, sizeof(*c->params));
	c->params[0].key = xstrdup("BATCH");
	c->params[0].value = xstrdup("1000");
	c->params[1].key = xstrdup("HOME");	/* reserved: left out */
	c->params[1].value = xstrdup("/evil");
	c->ndatasets = 2;
	c->datasets = xcalloc(2, sizeof(*c->datasets));
	c->datasets[0].id = xstrdup("raw");
	strcpy(c->datasets[0].itemtype, "IN");
	c->datasets[0].attrs[0] = xstrdup("db1");		/* hostname */
	c->datasets[0].attrs[5] = xstrdup("b64cipher=");	/* pass */
	c->datasets[0].nextra = 1;
	c->datasets[0].extra = xcalloc(1, sizeof(struct cfg_kv));
	c->datasets[0].extra[0].key = xstrdup("path");
	c->datasets[0].extra[0].value = xstrdup("/data/raw");
	c->datasets[1].id = xstrdup("clean");
	strcpy(c->datasets[1].itemtype, "OUT");
}

static void
test_env_names_and_values(void **state)
{
	char		 path[] = "PATH=/usr/bin", stale[] = "dataid=stale";
	char		 keep[] = "KEEP=1";
	char		*inherited[] = { path, stale, keep, NULL };
	struct claim	 c;
	struct env_spec	 spec;
	struct diag	 w = { NULL, 0 };
	char		**env;

	(void)state;
	make_claim(&c);
	memset(&spec, 0, sizeof(spec));
	spec.jobid = "load";
	spec.claim = &c;
	spec.metrics_file = "/tmp/m";
	env = env_build(inherited, &spec, &w);

	assert_string_equal(getv(env, "PATH"), "/usr/bin");
	assert_string_equal(getv(env, "KEEP"), "1");
	assert_string_equal(getv(env, "dataid"), "2025-11-20");
	assert_string_equal(getv(env, "jobid"), "load");
	assert_string_equal(getv(env, "DATAFLOW_DATAID"), "2025-11-20");
	assert_string_equal(getv(env, "DATAFLOW_JOBID"), "load");
	assert_string_equal(getv(env, "DATAFLOW_RUNID"), "42");
	assert_string_equal(getv(env, "DATAFLOW_ATTEMPT"), "2");
	assert_string_equal(getv(env, "DATAFLOW_METRICS_FILE"), "/tmp/m");
	assert_string_equal(getv(env, "BATCH"), "1000");
	assert_string_equal(getv(env, "raw_datasetid"), "raw");
	assert_string_equal(getv(env, "raw_hostname"), "db1");
	assert_string_equal(getv(env, "raw_database"), "");
	assert_string_equal(getv(env, "raw_encryptedpass"), "b64cipher=");
	assert_string_equal(getv(env, "raw_itemtype"), "IN");
	assert_string_equal(getv(env, "raw_path"), "/data/raw");
	assert_string_equal(getv(env, "clean_itemtype"), "OUT");
	assert_string_equal(getv(env, "clean_tablename"), "");
	assert_null(getv(env, "raw_password"));
	assert_null(getv(env, "HOME"));
	/* 3 inherited + BATCH + 2 x 8 dataset vars + raw_path + 7 ours */
	assert_int_equal(count(env), 2 + 1 + 16 + 1 + 7);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.msgs[0], "HOME"));

	diag_clear(&w);
	env_free(env);
	claim_clear(&c);
}

static void
test_env_passwords(void **state)
{
	const char	*passwords[] = { "s3cret", NULL };
	struct claim	 c;
	struct env_spec	 spec;
	char		**env;

	(void)state;
	make_claim(&c);
	memset(&spec, 0, sizeof(spec));
	spec.jobid = "load";
	spec.claim = &c;
	spec.passwords = passwords;
	env = env_build(NULL, &spec, NULL);
	assert_string_equal(getv(env, "raw_password"), "s3cret");
	assert_null(getv(env, "clean_password"));
	assert_null(getv(env, "DATAFLOW_METRICS_FILE"));
	env_free(env);
	claim_clear(&c);
}

/* Extra attributes cannot be used to smuggle in loader variables. */
static void
test_env_reserved_extra(void **state)
{
	struct claim	 c;
	struct env_spec	 spec;
	struct diag	 w = { NULL, 0 };
	char		**env;

	(void)state;
	make_claim(&c);
	free(c.datasets[1].id);
	c.datasets[1].id = xstrdup("LD");
	c.datasets[1].nextra = 1;
	c.datasets[1].extra = xcalloc(1, sizeof(struct cfg_kv));
	c.datasets[1].extra[0].key = xstrdup("PRELOAD");
	c.datasets[1].extra[0].value = xstrdup("/tmp/evil.so");
	memset(&spec, 0, sizeof(spec));
	spec.jobid = "load";
	spec.claim = &c;
	env = env_build(NULL, &spec, &w);
	assert_null(getv(env, "LD_PRELOAD"));
	assert_true(w.n >= 1);
	diag_clear(&w);
	env_free(env);
	claim_clear(&c);
}

/*
 * The reproduced attacks, as they would come from the database (a
 * parameter, or a dataset id and an extra attribute): none is exported,
 * each is reported; a host's allowance lets its names through, and only
 * those; names dataflow, the shell or the loader own stay out regardless.
 */
static void
test_env_denied_families(void **state)
{
	static const char *const params[][2] = {
		{ "PERL5OPT", "-d" }, { "PERL5DB", "system('id')" },
		{ "PYTHONWARNINGS", "ignore::antigravity.X" },
		{ "BROWSER", "/tmp/evil" }, { "PGHOST", "evil.example" },
		{ "GIT_SSH_COMMAND", "evil" }, { "http_proxy", "evil:3128" },
		{ "HTTPS_PROXY", "evil:3128" }, { "JAVA_TOOL_OPTIONS", "x" },
		{ "RUBYOPT", "x" }, { "GCONV_PATH", "/tmp" }, { "BATCH", "10" }
	};
	static const char *const allow[] = { "PGHOST", "PATH", NULL };
	struct claim	 c;
	struct env_spec	 spec;
	struct diag	 w = { NULL, 0 };
	char		**env;
	size_t		 i, n = sizeof(params) / sizeof(params[0]);
	int		 pass;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		make_claim(&c);
		for (i = 0; i < c.nparams; i++) {
			free(c.params[i].key);
			free(c.params[i].value);
		}
		free(c.params);
		c.params = xcalloc(n + 1, sizeof(*c.params));
		for (i = 0; i < n; i++) {
			c.params[i].key = xstrdup(params[i][0]);
			c.params[i].value = xstrdup(params[i][1]);
		}
		c.params[n].key = xstrdup("PATH");
		c.params[n].value = xstrdup("/evil");
		c.nparams = n + 1;
		free(c.datasets[1].id);
		c.datasets[1].id = xstrdup("NODE");
		c.datasets[1].nextra = 1;
		c.datasets[1].extra = xcalloc(1, sizeof(struct cfg_kv));
		c.datasets[1].extra[0].key = xstrdup("OPTIONS");
		c.datasets[1].extra[0].value = xstrdup("--require /tmp/x");
		memset(&spec, 0, sizeof(spec));
		spec.jobid = "load";
		spec.claim = &c;
		spec.env_allow = pass == 1 ? allow : NULL;
		env = env_build(NULL, &spec, &w);
		for (i = 0; i < n - 1; i++) {
			if (pass == 1 && strcmp(params[i][0], "PGHOST") == 0)
				assert_string_equal(getv(env, "PGHOST"),
				    "evil.example");
			else
				assert_null(getv(env, params[i][0]));
		}
		assert_string_equal(getv(env, "BATCH"), "10");
		assert_null(getv(env, "PATH"));
		assert_null(getv(env, "NODE_OPTIONS"));
		assert_null(getv(env, "NODE_hostname"));
		assert_string_equal(getv(env, "raw_hostname"), "db1");
		assert_string_equal(getv(env, "dataid"), "2025-11-20");
		/* Each name left out is said: 11 params, PATH, NODE_*. */
		assert_true(w.n >= (pass == 1 ? n - 1 : n) + 1);
		for (i = 0; i < w.n; i++)
			if (strstr(w.msgs[i], "PYTHONWARNINGS") != NULL)
				break;
		assert_true(i < w.n);
		assert_non_null(strstr(w.msgs[i], "not exported"));
		diag_clear(&w);
		env_free(env);
		claim_clear(&c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_names_and_values),
		cmocka_unit_test(test_env_passwords),
		cmocka_unit_test(test_env_reserved_extra),
		cmocka_unit_test(test_env_denied_families),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
