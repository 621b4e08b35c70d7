/* test_run.c: unit tests for lib/run.c (outcome classification, recorded
 * runs to exit codes, the lease's fence; see data/run.tsv), lib/finish.c's
 * backoff and lib/tail.c. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "actor.h"
#include "config.h"
#include "finish.h"
#include "run.h"
#include "tail.h"
#include "xmalloc.h"
#include "tsv.h"

static const struct {
	const char		*name;
	enum run_why		 why;
} whys[] = {
	{ "exited", RUN_WHY_EXITED }, { "signaled", RUN_WHY_SIGNALED },
	{ "exec", RUN_WHY_EXEC }, { "nostart", RUN_WHY_NOSTART },
	{ "secrets", RUN_WHY_SECRETS }, { "guard", RUN_WHY_GUARD },
	{ "timeout", RUN_WHY_TIMEOUT }, { "fenced", RUN_WHY_FENCED },
	{ "lost", RUN_WHY_LOST }, { "cancelled", RUN_WHY_CANCELLED }
};

static const struct {
	const char		*name;
	enum finish_result	 fr;
} finishes[] = {
	{ "recorded", FINISH_RECORDED }, { "fenced", FINISH_FENCED },
	{ "spooled", FINISH_SPOOLED }, { "lost", FINISH_LOST }
};

/* One token of the FACTS column into f. */
static void
facts_token(struct run_facts *f, const char *tok)
{
	const char	*eq = strchr(tok, '=');
	int		 n = eq != NULL ? atoi(eq + 1) : 0;

	if (strncmp(tok, "exit=", 5) == 0) {
		f->res.exited = true;
		f->res.exit_code = n;
	} else if (strncmp(tok, "signal=", 7) == 0)
		f->res.signo = n;
	else if (strcmp(tok, "exec=ENOENT") == 0 ||
	    strcmp(tok, "exec=EACCES") == 0) {
		f->res.exec_failed = f->res.exited = true;
		f->res.exit_code = 127;
		f->res.exec_errno = tok[6] == 'N' ? ENOENT : EACCES;
	} else if (strcmp(tok, "timeout") == 0)
		f->res.timed_out = true;
	else if (strcmp(tok, "tick") == 0)
		f->res.stopped_by_tick = true;
	else if (strcmp(tok, "fenced") == 0)
		f->fenced = true;
	else if (strncmp(tok, "cancel=", 7) == 0)
		f->res.cancel_signo = n;
	else if (strcmp(tok, "nostart") == 0) {
		f->started = false;
		f->start_error = "could not fork";
	} else if (strcmp(tok, "guard") == 0) {
		f->started = false;
		f->res.guard_died = true;
	} else if (strcmp(tok, "secrets") == 0)
		f->secrets_error = "dataset raw: wrong passkey or damaged "
		    "ciphertext";
	else if (strncmp(tok, "timeout_secs=", 13) == 0)
		f->timeout_secs = n;
	else
		fail_msg("unknown fact \"%s\"", tok);
}

static void
case_classify(const struct tcase *c)
{
	struct run_facts	 f;
	struct run_outcome	 o;
	enum finish_result	 fr = FINISH_RECORDED;
	char			*facts, *tok, *save = NULL;
	size_t			 i;
	bool			 found = false;

	assert_true(c->nf >= 11);
	memset(&f, 0, sizeof(f));
	f.started = true;
	f.script = "/opt/etl/job.sh";
	facts = xstrdup(c->f[1]);
	for (tok = strtok_r(facts, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		facts_token(&f, tok);
	free(facts);
	for (i = 0; i < sizeof(finishes) / sizeof(finishes[0]); i++)
		if (strcmp(finishes[i].name, c->f[2]) == 0) {
			fr = finishes[i].fr;
			found = true;
		}
	assert_true(found);

	run_classify(&f, &o);
	/* What is recorded does not depend on how recording went. */
	assert_string_equal(o.status, c->f[3]);
	assert_int_equal(o.exit_code, atoi(c->f[4]));
	assert_int_equal(o.signo, atoi(c->f[5]));
	if (strcmp(c->f[9], "-") == 0)
		assert_null(o.message);
	else
		assert_string_equal(o.message, c->f[9]);
	for (i = 0, found = false; i < sizeof(whys) / sizeof(whys[0]); i++)
		if (strcmp(whys[i].name, c->f[8]) == 0) {
			assert_int_equal(o.why, whys[i].why);
			found = true;
		}
	assert_true(found);
	assert_int_equal(run_exit_recorded(o.status, o.exit_code, o.signo),
	    atoi(c->f[10]));

	run_settle(&o, fr);
	assert_int_equal(o.exit_status, atoi(c->f[6]));
	assert_int_equal(o.stop, strcmp(c->f[7], "yes") == 0);
}

static void
case_param(const struct tcase *c)
{
	struct cfg_kv	*kv = NULL;
	size_t		 n = 0;
	char		*err = NULL, *got;

	if (c->f[2][0] == '!') {
		assert_int_equal(run_param_add(&kv, &n, c->f[1], &err), -1);
		assert_string_equal(err, c->f[2] + 1);
		assert_int_equal(n, 0);
		free(err);
		return;
	}
	assert_int_equal(run_param_add(&kv, &n, c->f[1], &err), 0);
	assert_null(err);
	assert_int_equal(n, 1);
	got = xasprintf("%s=%s", kv[0].key, kv[0].value);
	assert_string_equal(got, c->f[2]);
	free(got);
	free(kv[0].key);
	free(kv[0].value);
	free(kv);
}

static void
test_table(void **state)
{
	const struct tcase	*c = *state;
	char			*s;

	if (strcmp(c->f[0], "classify") == 0)
		case_classify(c);
	else if (strcmp(c->f[0], "job") == 0) {
		s = run_job_from_script(c->f[1]);
		assert_string_equal(s, c->nf > 2 ? c->f[2] : "");
		free(s);
	} else if (strcmp(c->f[0], "param") == 0)
		case_param(c);
	else if (strcmp(c->f[0], "recorded") == 0)
		assert_int_equal(run_exit_recorded(c->f[1], atoi(c->f[2]),
		    atoi(c->f[3])), atoi(c->f[4]));
	else
		fail_msg("unknown kind \"%s\"", c->f[0]);
}

/* A message too long for the outcome's buffer is cut, not overrun. */
static void
test_classify_long_script(void **state)
{
	struct run_facts	 f;
	struct run_outcome	 o;
	char			 script[1024];

	(void)state;
	memset(script, 'x', sizeof(script) - 1);
	script[sizeof(script) - 1] = '\0';
	memset(&f, 0, sizeof(f));
	f.started = true;
	f.script = script;
	f.res.exec_failed = true;
	f.res.exec_errno = ENOENT;
	run_classify(&f, &o);
	assert_int_equal(strlen(o.message), sizeof(o.msgbuf) - 1);
	assert_int_equal(strncmp(o.message, "could not execute xxx", 21), 0);
	assert_int_equal(run_exit_recorded(NULL, 0, 0), -1);
}

/* The fence: two thirds of the lease after the last renewal that worked;
 * until then a failed renewal is retried every second, or at the fence. */
static void
test_lease_retry(void **state)
{
	(void)state;
	assert_int_equal(run_lease_retry_ms(100.0, 60, 100.0),
	    RUN_RENEW_RETRY_MS);
	assert_int_equal(run_lease_retry_ms(100.0, 60, 138.0),
	    RUN_RENEW_RETRY_MS);
	assert_int_equal(run_lease_retry_ms(100.0, 60, 139.5), 501);
	assert_int_equal(run_lease_retry_ms(100.0, 60, 140.0), -1);
	assert_int_equal(run_lease_retry_ms(100.0, 60, 200.0), -1);
	/* A 3 s lease fences after 2 s. */
	assert_int_equal(run_lease_retry_ms(0.0, 3, 1.75), 251);
	assert_int_equal(run_lease_retry_ms(0.0, 3, 2.0), -1);
}

/* Attempts take a third of the lease, waits stay under a sixth of it. */
static void
test_finish_backoff(void **state)
{
	long	 d, cap;
	int	 i;

	(void)state;
	assert_int_equal(finish_attempt_ms(60), 20000);
	assert_int_equal(finish_attempt_ms(3), 1000);
	assert_int_equal(finish_attempt_ms(1), 1000);
	assert_int_equal(finish_backoff_cap_ms(60), 10000);
	assert_int_equal(finish_backoff_cap_ms(3), 1000);
	assert_int_equal(finish_backoff_cap_ms(3600), FINISH_RETRY_MAX * 1000);
	cap = finish_backoff_cap_ms(60);
	d = FINISH_RETRY_FIRST_MS;
	for (i = 0; i < 5; i++)
		d = finish_backoff_next(d, cap);
	assert_int_equal(d, 8000);
	assert_int_equal(finish_backoff_next(d, cap), 10000);
	assert_int_equal(finish_backoff_next(10000, cap), 10000);
}

/* The dataset attribute the passwords are decrypted from. */
static void
test_attr_index(void **state)
{
	(void)state;
	assert_string_equal(cfg_attr_names[CFG_ATTR_ENCRYPTEDPASS],
	    "encryptedpass");
}

static void
assert_tail(const struct tail *t, const char *want, size_t n)
{
	assert_int_equal(t->len, n);
	assert_memory_equal(t->buf, want, n);
}

/* Bytes 0..n-1 of a pattern that tells every position apart. */
static char *
pattern(size_t n)
{
	char	*p = xmalloc(n);
	size_t	 i;

	for (i = 0; i < n; i++)
		p[i] = (char)('a' + (i * 7 + i / 26) % 26);
	return p;
}

static void
test_tail_partial(void **state)
{
	struct tail	 t;
	char		*s;

	(void)state;
	tail_reset(&t, -1);
	assert_null(tail_text(&t));
	tail_add(&t, "one\ntw", 6);
	tail_add(&t, "o", 1);
	tail_add(&t, "", 0);
	assert_tail(&t, "one\ntwo", 7);
	s = tail_text(&t);
	assert_string_equal(s, "one\ntwo");
	free(s);
}

static void
test_tail_exactly_full(void **state)
{
	struct tail	 t;
	char		*p = pattern(TAIL_MAX + 1), *s;

	(void)state;
	tail_reset(&t, -1);
	tail_add(&t, p, TAIL_MAX);
	assert_tail(&t, p, TAIL_MAX);
	/* Full in two pieces, then one byte more drops the first. */
	tail_reset(&t, -1);
	tail_add(&t, p, 100);
	tail_add(&t, p + 100, TAIL_MAX - 100);
	assert_tail(&t, p, TAIL_MAX);
	tail_add(&t, p + TAIL_MAX, 1);
	assert_tail(&t, p + 1, TAIL_MAX);
	/* Cut: the text says so, and stays within TAIL_MAX. */
	s = tail_text(&t);
	assert_true(strncmp(s, "[... ", 5) == 0);
	assert_true(strlen(s) <= TAIL_MAX);
	free(s);
	free(p);
}

static void
test_tail_wraps(void **state)
{
	struct tail	 t;
	size_t		 n = 3 * TAIL_MAX + 123, off, step;
	char		*p = pattern(n);

	(void)state;
	/* One write larger than the tail keeps its end. */
	tail_reset(&t, -1);
	tail_add(&t, p, n);
	assert_tail(&t, p + n - TAIL_MAX, TAIL_MAX);
	/* Writes of every size keep the end of all of them. */
	for (step = 1; step < 2 * TAIL_MAX; step = step * 3 + 1) {
		tail_reset(&t, -1);
		for (off = 0; off < n; off += step)
			tail_add(&t, p + off, off + step < n ? step : n - off);
		assert_tail(&t, p + n - TAIL_MAX, TAIL_MAX);
	}
	/* Half full, then more than the room left. */
	tail_reset(&t, -1);
	tail_add(&t, p, 3000);
	tail_add(&t, p + 3000, 3000);
	assert_tail(&t, p + 6000 - TAIL_MAX, TAIL_MAX);
	free(p);
}

/* The database column is text: NUL and bytes >= 0x80 (UTF-8 or not) are
 * '?', one each; control characters stay. */
static void
test_tail_binary(void **state)
{
	static const char	 in[] = "a\0b\x80\xff\xc3\xa9\t\x1b[1m\n";
	struct tail		 t;
	char			*s;

	(void)state;
	tail_reset(&t, -1);
	tail_add(&t, in, sizeof(in) - 1);
	assert_int_equal(t.len, sizeof(in) - 1);
	s = tail_text(&t);
	assert_string_equal(s, "a?b????\t\x1b[1m\n");
	free(s);
}

/* tail_tee keeps the tail and passes every byte on. */
static void
test_tail_tee(void **state)
{
	struct tail	 t;
	char		*p = pattern(TAIL_MAX + 10), buf[TAIL_MAX + 20];
	ssize_t		 n;
	size_t		 got = 0;
	int		 fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	tail_reset(&t, fds[1]);
	tail_tee(&t, p, 10);
	tail_tee(&t, p + 10, TAIL_MAX);
	close(fds[1]);
	while ((n = read(fds[0], buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)n;
	close(fds[0]);
	assert_int_equal(got, TAIL_MAX + 10);
	assert_memory_equal(buf, p, got);
	assert_tail(&t, p + 10, TAIL_MAX);
	/* No descriptor: kept only. */
	tail_reset(&t, -1);
	tail_tee(&t, "x", 1);
	assert_tail(&t, "x", 1);
	free(p);
}

/* The tail of a log file the script wrote, after what was kept. */
static void
test_tail_file(void **state)
{
	struct tail	 t;
	char		 path[] = "/tmp/test_run-XXXXXX";
	char		*p = pattern(10000);
	int		 fd;

	(void)state;
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, p, 10), 10);
	tail_reset(&t, -1);
	tail_add(&t, "kept:", 5);
	tail_add_file(&t, path);
	assert_int_equal(t.len, 15);
	assert_memory_equal(t.buf, "kept:", 5);
	assert_memory_equal(t.buf + 5, p, 10);
	assert_int_equal(write(fd, p + 10, 9990), 9990);
	close(fd);
	tail_add_file(&t, path);
	assert_tail(&t, p + 10000 - TAIL_MAX, TAIL_MAX);
	unlink(path);
	/* A file that is not there adds nothing. */
	tail_add_file(&t, path);
	assert_tail(&t, p + 10000 - TAIL_MAX, TAIL_MAX);
	free(p);
}

/* Who is acting: user@host, the host cut to the buffer. */
static void
test_actor(void **state)
{
	char	 host[4], *user, *name, *want;

	(void)state;
	user = actor_user();
	name = actor_name();
	assert_non_null(strchr(name, '@'));
	assert_int_equal(strncmp(name, user, strlen(user)), 0);
	assert_int_equal(name[strlen(user)], '@');
	assert_true(strlen(actor_host(host, sizeof(host))) <= 3);
	want = xasprintf("%s@", user);
	assert_int_equal(strncmp(name, want, strlen(want)), 0);
	free(want);
	free(name);
	free(user);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_classify_long_script),
		cmocka_unit_test(test_lease_retry),
		cmocka_unit_test(test_finish_backoff),
		cmocka_unit_test(test_attr_index),
		cmocka_unit_test(test_tail_partial),
		cmocka_unit_test(test_tail_exactly_full),
		cmocka_unit_test(test_tail_wraps),
		cmocka_unit_test(test_tail_binary),
		cmocka_unit_test(test_tail_tee),
		cmocka_unit_test(test_tail_file),
		cmocka_unit_test(test_actor),
	};

	return tsv_run_group("run", fixed, sizeof fixed / sizeof fixed[0],
	    TEST_DATADIR "/run.tsv", 2, test_table);
}
