/* fileio.h: file plumbing written once: whole reads and writes that a
 * signal or a short count does not cut, atomic replacement, mkdir -p. */
#ifndef DF_FILEIO_H
#define DF_FILEIO_H

#include <sys/types.h>

#include <stddef.h>

struct strbuf;

/*
 * Write the len bytes at buf to fd, however many write(2) calls it takes,
 * retrying when a signal interrupts one. Return 0, or -1 with errno (the
 * bytes before the failure are written).
 */
int	 fileio_write_all(int fd, const void *buf, size_t len);
/*
 * Read fd into the size bytes at buf until end of file or buf is full,
 * retrying when a signal interrupts a read. Return the bytes read (size
 * when there may be more), or -1 with errno.
 */
ssize_t	 fileio_read_full(int fd, void *buf, size_t size);
/*
 * Append what fd holds up to end of file to sb, retrying when a signal
 * interrupts a read. Return 0, or -1 with errno: EFBIG once sb would pass
 * max bytes (0: no limit), what read(2) said otherwise.
 */
int	 fileio_read_all(int fd, struct strbuf *sb, size_t max);
/*
 * Replace path with a file of the len bytes at buf, mode mode, whole or
 * not at all: written to a new file in path's directory, synced, renamed
 * over path, and the directory synced (a crash leaves the old file or the
 * new one). Return 0, or -1 with *errp (caller frees); no temporary file
 * is left behind.
 */
int	 fileio_write_atomic(const char *path, const void *buf, size_t len,
	    mode_t mode, char **errp);
/*
 * Create directory path and its missing parents, as mkdir -p: path with
 * mode, the parents with parent_mode (both less the umask). Return 1 when
 * path was created, 0 when it was a directory already, or -1 with *errp
 * (caller frees) naming the directory that could not be made.
 */
int	 fileio_mkdir_p(const char *path, mode_t mode, mode_t parent_mode,
	    char **errp);

#endif
