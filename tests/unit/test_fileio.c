/* test_fileio.c: unit tests for lib/fileio.c. read, write and fsync are
 * wrapped (-Wl,--wrap): when a test asks, they return a few bytes at a
 * time, are interrupted by a signal, or fail, as a real system does only
 * under load. */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fileio.h"
#include "strbuf.h"
#include "tmpdir.h"
#include "xmalloc.h"

#define NOBODY	65534	/* who a root test becomes to be refused */

ssize_t	__real_write(int, const void *, size_t);
ssize_t	__real_read(int, void *, size_t);
int	__real_fsync(int);
ssize_t	__wrap_write(int, const void *, size_t);
ssize_t	__wrap_read(int, void *, size_t);
int	__wrap_fsync(int);

/* What the wrapped calls do: at most chunk bytes each (0: no limit),
 * every other call interrupted, or failing with fail_errno. */
static struct {
	size_t	 chunk;
	int	 eintr;
	int	 fail_errno;
	int	 fsync_errno;
	int	 calls;
	int	 interrupted;
} fake;

static void
fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
}

/* Return -1 when the call is to fail or be interrupted; else cut *len. */
static int
fake_cut(size_t *len)
{
	fake.calls++;
	if (fake.fail_errno != 0) {
		errno = fake.fail_errno;
		return -1;
	}
	if (fake.eintr && fake.calls % 2 == 1) {
		fake.interrupted++;
		errno = EINTR;
		return -1;
	}
	if (fake.chunk > 0 && *len > fake.chunk)
		*len = fake.chunk;
	return 0;
}

ssize_t
__wrap_write(int fd, const void *buf, size_t len)
{
	if (fake_cut(&len) == -1)
		return -1;
	return __real_write(fd, buf, len);
}

ssize_t
__wrap_read(int fd, void *buf, size_t len)
{
	if (fake_cut(&len) == -1)
		return -1;
	return __real_read(fd, buf, len);
}

int
__wrap_fsync(int fd)
{
	if (fake.fsync_errno != 0) {
		errno = fake.fsync_errno;
		return -1;
	}
	return __real_fsync(fd);
}

static void
assert_listing(const char *dir, const char *want)
{
	char	*got = tmpdir_list(dir);

	assert_string_equal(got, want);
	free(got);
}

/* Return the contents of path (caller frees). */
static char *
slurp(const char *path)
{
	struct strbuf	 sb = STRBUF_INIT;
	int		 fd;

	assert_true((fd = open(path, O_RDONLY)) != -1);
	assert_int_equal(fileio_read_all(fd, &sb, 0), 0);
	close(fd);
	return strbuf_detach(&sb);
}

/* n bytes of a pattern that shows where a piece went missing. */
static char *
pattern(size_t n)
{
	char	*p = xmalloc(n + 1);
	size_t	 i;

	for (i = 0; i < n; i++)
		p[i] = (char)('a' + (i * 7 + i / 26) % 26);
	p[n] = '\0';
	return p;
}

/* Short writes and interrupted ones: every byte still arrives, once. */
static void
test_write_all_short(void **state)
{
	char		*text = pattern(1000), *got;
	struct strbuf	 sb = STRBUF_INIT;
	int		 fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	fake_reset();
	fake.chunk = 7;
	fake.eintr = 1;
	assert_int_equal(fileio_write_all(fds[1], text, 1000), 0);
	assert_true(fake.interrupted >= 1000 / 7);
	assert_int_equal(fileio_write_all(fds[1], "", 0), 0);
	fake_reset();
	close(fds[1]);
	fake.chunk = 3;
	fake.eintr = 1;
	assert_int_equal(fileio_read_all(fds[0], &sb, 0), 0);
	fake_reset();
	close(fds[0]);
	got = strbuf_detach(&sb);
	assert_string_equal(got, text);
	free(got);
	free(text);
}

/* A failure other than a signal is returned with its errno. */
static void
test_write_all_fails(void **state)
{
	int	 fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	fake_reset();
	fake.fail_errno = ENOSPC;
	errno = 0;
	assert_int_equal(fileio_write_all(fds[1], "x", 1), -1);
	assert_int_equal(errno, ENOSPC);
	fake_reset();
	/* And a real one: nobody reads any more. */
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(fileio_write_all(fds[1], "x", 1), -1);
	assert_int_equal(errno, EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(fds[1]);
}

/* More than a pipe holds, to a reader in another process: the writer
 * blocks and resumes, and the reader gets it all. */
static void
test_write_all_pipe(void **state)
{
	const size_t	 len = 1 << 20;
	struct strbuf	 sb = STRBUF_INIT;
	char		*text = pattern(len);
	pid_t		 pid;
	int		 fds[2], st;

	(void)state;
	fake_reset();
	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		_exit(fileio_write_all(fds[1], text, len) == 0 ? 0 : 1);
	}
	assert_true(pid > 0);
	close(fds[1]);
	assert_int_equal(fileio_read_all(fds[0], &sb, 0), 0);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(sb.len, len);
	assert_memory_equal(sb.buf, text, len);
	strbuf_free(&sb);
	free(text);
}

/* read_full stops at end of file or when the buffer is full. */
static void
test_read_full(void **state)
{
	char	 buf[16];
	int	 fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(fileio_write_all(fds[1], "hello, world", 12), 0);
	fake_reset();
	fake.chunk = 1;
	fake.eintr = 1;
	assert_int_equal(fileio_read_full(fds[0], buf, 5), 5);
	assert_memory_equal(buf, "hello", 5);
	close(fds[1]);
	assert_int_equal(fileio_read_full(fds[0], buf, sizeof(buf)), 7);
	assert_memory_equal(buf, ", world", 7);
	assert_int_equal(fileio_read_full(fds[0], buf, sizeof(buf)), 0);
	fake.fail_errno = EIO;
	assert_int_equal(fileio_read_full(fds[0], buf, sizeof(buf)), -1);
	assert_int_equal(errno, EIO);
	fake_reset();
	close(fds[0]);
}

/* read_all refuses more than max bytes, with EFBIG. */
static void
test_read_all_max(void **state)
{
	struct strbuf	 sb = STRBUF_INIT;
	int		 fds[2];

	(void)state;
	fake_reset();
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(fileio_write_all(fds[1], "0123456789", 10), 0);
	close(fds[1]);
	assert_int_equal(fileio_read_all(fds[0], &sb, 9), -1);
	assert_int_equal(errno, EFBIG);
	close(fds[0]);
	strbuf_free(&sb);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(fileio_write_all(fds[1], "0123456789", 10), 0);
	close(fds[1]);
	assert_int_equal(fileio_read_all(fds[0], &sb, 10), 0);
	assert_int_equal(sb.len, 10);
	close(fds[0]);
	strbuf_free(&sb);
}

/* A new file, then a replacement: the contents, the mode, nothing else. */
static void
test_atomic_write(void **state)
{
	struct stat	 st;
	char		*dir, *path, *got, *err = NULL;

	(void)state;
	fake_reset();
	dir = tmpdir_new("test_fileio");
	path = xasprintf("%s/out.txt", dir);
	assert_int_equal(fileio_write_atomic(path, "one\n", 4, 0644, &err),
	    0);
	assert_null(err);
	got = slurp(path);
	assert_string_equal(got, "one\n");
	free(got);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	fake.chunk = 1;
	fake.eintr = 1;
	assert_int_equal(fileio_write_atomic(path, "two\n", 4, 0600, &err),
	    0);
	fake_reset();
	got = slurp(path);
	assert_string_equal(got, "two\n");
	free(got);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_listing(dir, "out.txt");
	/* A relative name: the temporary file is in the current directory. */
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(fileio_write_atomic("rel", "", 0, 0644, &err), 0);
	assert_int_equal(chdir("/"), 0);
	assert_listing(dir, "out.txt rel");
	free(path);
	tmpdir_remove(dir);
}

/* Each way to fail keeps the old file and leaves no temporary one. */
static void
test_atomic_write_fails(void **state)
{
	char	*dir, *path, *sub, *got, *err = NULL;

	(void)state;
	fake_reset();
	dir = tmpdir_new("test_fileio");
	path = xasprintf("%s/out.txt", dir);
	assert_int_equal(fileio_write_atomic(path, "old", 3, 0644, &err), 0);

	fake.fail_errno = ENOSPC;
	assert_int_equal(fileio_write_atomic(path, "new", 3, 0644, &err),
	    -1);
	fake_reset();
	assert_non_null(strstr(err, "could not write"));
	assert_non_null(strstr(err, strerror(ENOSPC)));
	free(err);
	err = NULL;

	fake.fsync_errno = EIO;
	assert_int_equal(fileio_write_atomic(path, "new", 3, 0644, &err),
	    -1);
	fake_reset();
	assert_non_null(strstr(err, strerror(EIO)));
	free(err);
	err = NULL;
	got = slurp(path);
	assert_string_equal(got, "old");
	free(got);

	/* The rename fails: a directory holding something is in the way. */
	sub = xasprintf("%s/sub", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	free(path);
	path = xasprintf("%s/keep", sub);
	assert_int_equal(fileio_write_atomic(path, "k", 1, 0644, &err), 0);
	assert_int_equal(fileio_write_atomic(sub, "new", 3, 0644, &err), -1);
	assert_non_null(strstr(err, "could not rename"));
	free(err);
	err = NULL;
	assert_listing(dir, "out.txt sub");
	assert_listing(sub, "keep");

	/* No directory: the error names it. */
	free(path);
	path = xasprintf("%s/none/out.txt", dir);
	assert_int_equal(fileio_write_atomic(path, "new", 3, 0644, &err), -1);
	got = xasprintf("could not create a file in \"%s/none\": %s", dir,
	    strerror(ENOENT));
	assert_string_equal(err, got);
	free(got);
	free(err);
	assert_listing(dir, "out.txt sub");
	free(sub);
	free(path);
	tmpdir_remove(dir);
}

static mode_t
mode_of(const char *path)
{
	struct stat	 st;

	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	return st.st_mode & 07777;
}

/* Nested and new, then there already: the modes of each level. */
static void
test_mkdir_p(void **state)
{
	char	*dir, *path, *mid, *err = NULL;
	mode_t	 old;

	(void)state;
	old = umask(022);
	dir = tmpdir_new("test_fileio");
	path = xasprintf("%s/a/b/c", dir);
	mid = xasprintf("%s/a/b", dir);
	assert_int_equal(fileio_mkdir_p(path, 0700, 0751, &err), 1);
	assert_null(err);
	assert_int_equal(mode_of(path), 0700);
	assert_int_equal(mode_of(mid), 0751);
	assert_int_equal(fileio_mkdir_p(path, 0700, 0751, &err), 0);
	assert_int_equal(fileio_mkdir_p(mid, 0700, 0751, &err), 0);
	assert_int_equal(fileio_mkdir_p("/", 0700, 0755, &err), 0);
	free(path);
	/* Doubled and trailing slashes. */
	path = xasprintf("%s//x//y", dir);
	assert_int_equal(fileio_mkdir_p(path, 0700, 0755, &err), 1);
	assert_int_equal(mode_of(path), 0700);
	/* The umask still applies. */
	free(path);
	path = xasprintf("%s/masked", dir);
	assert_int_equal(fileio_mkdir_p(path, 0777, 0755, &err), 1);
	assert_int_equal(mode_of(path), 0755);
	umask(old);
	free(mid);
	free(path);
	tmpdir_remove(dir);
}

/* A file in the way, at the end or half-way, and an empty name. */
static void
test_mkdir_p_not_dir(void **state)
{
	char	*dir, *file, *path, *want, *err = NULL;

	(void)state;
	dir = tmpdir_new("test_fileio");
	file = xasprintf("%s/file", dir);
	assert_int_equal(fileio_write_atomic(file, "", 0, 0644, &err), 0);
	assert_int_equal(fileio_mkdir_p(file, 0700, 0755, &err), -1);
	want = xasprintf("could not create directory \"%s\": %s", file,
	    strerror(ENOTDIR));
	assert_string_equal(err, want);
	free(err);
	err = NULL;
	path = xasprintf("%s/below", file);
	assert_int_equal(fileio_mkdir_p(path, 0700, 0755, &err), -1);
	assert_string_equal(err, want);
	free(err);
	err = NULL;
	assert_int_equal(fileio_mkdir_p("", 0700, 0755, &err), -1);
	assert_non_null(err);
	free(err);
	free(want);
	free(path);
	free(file);
	tmpdir_remove(dir);
}

/* A directory we may not write: the error names the level refused. As
 * root, a child that is nobody tries (root may write anywhere). */
static void
test_mkdir_p_denied(void **state)
{
	char	*dir, *ro, *path, *want, *err = NULL;
	pid_t	 pid;
	int	 st, ok;

	(void)state;
	/* Under valgrind a forked child that does not exec exits with
	 * valgrind's own status (--error-exitcode, its leak check of our
	 * copied heap): the plain and sanitizer runs check this one (a
	 * cmocka skip would count as a failure in automake's TAP driver). */
	if (getenv("DF_VALGRIND") != NULL)
		return;
	dir = tmpdir_new("test_fileio");
	ro = xasprintf("%s/ro", dir);
	assert_int_equal(mkdir(ro, 0555), 0);
	assert_int_equal(chmod(ro, 0555), 0);
	path = xasprintf("%s/a/b", ro);
	want = xasprintf("could not create directory \"%s/a\": %s", ro,
	    strerror(EACCES));
	if ((pid = fork()) == 0) {
		if (geteuid() == 0 && (setgid(NOBODY) == -1 ||
		    setuid(NOBODY) == -1))
			_exit(2);
		ok = fileio_mkdir_p(path, 0700, 0755, &err) == -1 &&
		    strcmp(err, want) == 0;
		if (!ok)
			fprintf(stderr, "# got: %s\n", err != NULL ? err :
			    "(no error)");
		_exit(ok ? 0 : 1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* An existing directory under it is still fine to ask for. */
	assert_int_equal(fileio_mkdir_p(ro, 0700, 0755, &err), 0);
	free(want);
	free(path);
	free(ro);
	tmpdir_remove(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_all_short),
		cmocka_unit_test(test_write_all_fails),
		cmocka_unit_test(test_write_all_pipe),
		cmocka_unit_test(test_read_full),
		cmocka_unit_test(test_read_all_max),
		cmocka_unit_test(test_atomic_write),
		cmocka_unit_test(test_atomic_write_fails),
		cmocka_unit_test(test_mkdir_p),
		cmocka_unit_test(test_mkdir_p_not_dir),
		cmocka_unit_test(test_mkdir_p_denied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
