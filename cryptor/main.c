/* cryptor: encrypt or decrypt a credential with the passkey (cryptor(1)). */
#include <err.h>
#include <getopt.h>
#include <readpassphrase.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "credential.h"
#include "exitcodes.h"
#include "fileio.h"
#include "harden.h"
#include "keyfile.h"
#include "passkey.h"
#include "secrets.h"
#include "schema.h"
#include "xmalloc.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION	"unknown"
#endif

/* The longest stdin: room for a df1 ciphertext of the longest text. */
#define CRYPTOR_MAXINPUT	(96 * 1024)

static const char cryptor_synopsis[] =
    "usage: cryptor -e [--format df1|odf] [--iterations N] [--key-id N]\n"
    "               [--salt-from CIPHERTEXT | --new-salt] [--config FILE]\n"
    "               [--passkey-file FILE] [TEXT]\n"
    "       cryptor -d [--passkey-file FILE] [CIPHERTEXT]\n"
    "       cryptor --write-key FILE [--force]\n"
    "               [--salt-from CIPHERTEXT | --config FILE]\n"
    "               [--passkey-file FILE]\n"
    "       cryptor -h | --help | --version\n";

enum {
	OPT_CONFIG = 256,
	OPT_FORCE,
	OPT_FORMAT,
	OPT_ITERATIONS,
	OPT_KEYID,
	OPT_NEW_SALT,
	OPT_PASSKEY_FILE,
	OPT_SALT_FROM,
	OPT_VERSION,
	OPT_WRITE_KEY
};

static const struct option cryptor_options[] = {
	{ "config",	  required_argument,	NULL, OPT_CONFIG },
	{ "decrypt",	  no_argument,		NULL, 'd' },
	{ "encrypt",	  no_argument,		NULL, 'e' },
	{ "force",	  no_argument,		NULL, OPT_FORCE },
	{ "format",	  required_argument,	NULL, OPT_FORMAT },
	{ "help",	  no_argument,		NULL, 'h' },
	{ "iterations",	  required_argument,	NULL, OPT_ITERATIONS },
	{ "key-id",	  required_argument,	NULL, OPT_KEYID },
	{ "new-salt",	  no_argument,		NULL, OPT_NEW_SALT },
	{ "passkey-file", required_argument,	NULL, OPT_PASSKEY_FILE },
	{ "salt-from",	  required_argument,	NULL, OPT_SALT_FROM },
	{ "version",	  no_argument,		NULL, OPT_VERSION },
	{ "write-key",	  required_argument,	NULL, OPT_WRITE_KEY },
	{ NULL,		  0,			NULL, 0 }
};

/* Every secret the program holds, wiped by cryptor_cleanup() at exit. */
static struct {
	struct passkey			 pk;
	struct credential_keyring	*kr;
	char				*input;		/* text or ciphertext */
	size_t				 inputsize;
	char				*again;		/* the text retyped */
	char				*plain;
	size_t				 plainlen;
	struct credential_key		 key;		/* --write-key's */
} secret;

static void
cryptor_cleanup(void)
{
	passkey_clear(&secret.pk);
	credential_keyring_free(secret.kr);
	if (secret.input != NULL)
		freezero(secret.input, secret.inputsize);
	if (secret.again != NULL)
		freezero(secret.again, secret.inputsize);
	if (secret.plain != NULL)
		freezero(secret.plain, secret.plainlen + 1);
	explicit_bzero(&secret, sizeof(secret));
}

static void __attribute__((noreturn, format(printf, 1, 2)))
cryptor_usage(const char *fmt, ...)
{
	va_list	 ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		vwarnx(fmt, ap);
		va_end(ap);
	}
	fputs(cryptor_synopsis, stderr);
	exit(EXIT_USAGE);
}

static uint32_t
cryptor_number(const char *arg, const char *opt, long long min, long long max)
{
	const char	*errstr;
	long long	 n;

	n = strtonum(arg, min, max, &errstr);
	if (errstr != NULL)
		cryptor_usage("%s: \"%s\" is %s (%lld..%lld)", opt, arg,
		    errstr, min, max);
	return (uint32_t)n;
}

/* Write the n bytes at buf and a newline to stdout, without stdio buffers. */
static void
cryptor_output(const char *buf, size_t n)
{
	if (fileio_write_all(STDOUT_FILENO, buf, n) == -1 ||
	    fileio_write_all(STDOUT_FILENO, "\n", 1) == -1)
		err(EXIT_FAIL, "could not write to standard output");
}

/* Read all of standard input into secret.input, less one trailing newline. */
static size_t
cryptor_read_stdin(int decrypt)
{
	size_t	 len;
	ssize_t	 n;

	secret.inputsize = CRYPTOR_MAXINPUT + 1;
	secret.input = xmalloc(secret.inputsize);
	if ((n = fileio_read_full(STDIN_FILENO, secret.input,
	    CRYPTOR_MAXINPUT)) == -1)
		err(EXIT_DATAERR, "could not read standard input");
	len = (size_t)n;
	if (len == CRYPTOR_MAXINPUT)
		errx(EXIT_DATAERR, "standard input is too long (at most %d "
		    "bytes)", CRYPTOR_MAXINPUT - 1);
	if (len > 0 && secret.input[len - 1] == '\n')
		len--;
	if (decrypt && len > 0 && secret.input[len - 1] == '\r')
		len--;
	secret.input[len] = '\0';
	if (memchr(secret.input, '\n', len) != NULL)
		errx(EXIT_DATAERR, "standard input holds more than one line");
	if (memchr(secret.input, '\0', len) != NULL)
		errx(EXIT_DATAERR, "standard input holds a NUL byte");
	return len;
}

/* Ask on the terminal: the text twice (no echo), or the ciphertext once. */
static size_t
cryptor_prompt(int decrypt)
{
	secret.inputsize = CREDENTIAL_MAXPLAIN + 2;
	secret.input = xmalloc(secret.inputsize);
	if (decrypt) {
		if (readpassphrase("Ciphertext: ", secret.input,
		    secret.inputsize, RPP_ECHO_ON | RPP_REQUIRE_TTY) == NULL)
			err(EXIT_DATAERR, "could not read the terminal");
		return strlen(secret.input);
	}
	secret.again = xmalloc(secret.inputsize);
	if (readpassphrase("Text to encrypt: ", secret.input,
	    secret.inputsize, RPP_ECHO_OFF | RPP_REQUIRE_TTY) == NULL ||
	    readpassphrase("Text again: ", secret.again, secret.inputsize,
	    RPP_ECHO_OFF | RPP_REQUIRE_TTY) == NULL)
		err(EXIT_DATAERR, "could not read the terminal");
	if (strcmp(secret.input, secret.again) != 0)
		errx(EXIT_DATAERR, "the texts typed do not match");
	return strlen(secret.input);
}

/*
 * Write with the salt of the installation's encrypted= (runjob then derives
 * one key for all its secrets), when there is one; a file that cannot be
 * read is an error only when named by --config.
 */
static void
cryptor_installation_salt(const char *config)
{
	char	*path = NULL, *errstr = NULL;

	if (secrets_installation_salt(secret.kr, config, &path,
	    &errstr) == -1) {
		if (config != NULL)
			errx(EXIT_CONFIG, "%s", errstr);
		warnx("%s; using a new salt", errstr);
		free(errstr);
	}
	free(path);
}

/* Set *mode to m: -e, -d and --write-key ('k') are exclusive. */
static void
cryptor_mode(int *mode, int m)
{
	if (*mode != 0 && *mode != m)
		cryptor_usage("-e, -d and --write-key are exclusive");
	*mode = m;
}

/* Refuse what --write-key does not take: it encrypts nothing. */
static void
cryptor_check_write_key(int argc, enum credential_format format,
    uint32_t iterations, int have_keyid, int new_salt, const char *salt_from,
    const char *config)
{
	if (argc > 0)
		cryptor_usage("--write-key takes no TEXT or CIPHERTEXT");
	if (format != CREDENTIAL_DF1 || iterations != 0 || have_keyid ||
	    new_salt)
		cryptor_usage("--format, --iterations, --key-id and --new-salt "
		    "do not apply to --write-key: the key file takes them "
		    "from the ciphertext");
	if (salt_from != NULL && config != NULL)
		cryptor_usage("--salt-from and --config are exclusive");
}

/*
 * --write-key: derive the key of the installation's encrypted= (or of
 * --salt-from's ciphertext), prove it by decrypting that ciphertext, and
 * write it to path. Exits.
 */
static void __attribute__((noreturn))
cryptor_write_key(const char *path, int force, const char *salt_from,
    const char *config)
{
	char	*ct = NULL, *from = NULL, *errstr = NULL;
	int	 rv;

	if (salt_from != NULL)
		ct = xstrdup(salt_from);
	else if ((rv = secrets_installation_ciphertext(config, &ct, &from,
	    &errstr)) == -1)
		errx(EXIT_CONFIG, "%s", errstr);
	else if (rv == 0)
		errx(EXIT_CONFIG, "no df1 ciphertext to take the salt of: the "
		    "installation's dataflow.properties has no df1 encrypted= "
		    "(give --config FILE or --salt-from CIPHERTEXT)");
	rv = credential_key_of(secret.kr, ct, &secret.key, &errstr);
	free(ct);
	if (rv != CREDENTIAL_OK)
		errx(rv == CREDENTIAL_EAUTH ? EXIT_CONFIG : rv ==
		    CREDENTIAL_EFORMAT ? EXIT_DATAERR : EXIT_SOFTWARE,
		    "%s%s%s", salt_from != NULL ? "--salt-from: " : from,
		    salt_from != NULL ? "" : ": encrypted: ", errstr);
	free(from);
	if (keyfile_write(path, &secret.key, force, &errstr) == -1)
		errx(EXIT_FAIL, "%s", errstr);
	exit(EXIT_OK);
}

int
main(int argc, char *argv[])
{
	enum credential_format	 format = CREDENTIAL_DF1;
	const char		*passkey_file = NULL, *salt_from = NULL;
	const char		*config = NULL, *keyfile = NULL;
	char			*out = NULL, *errstr = NULL;
	uint32_t		 iterations = 0, keyid = 0;
	size_t			 len = 0;
	int			 ch, mode = 0, have_keyid = 0, new_salt = 0, rv;
	int			 force = 0;

	/* First: no core file or same-user read of what we will hold. */
	if (harden_process(&errstr) == -1)
		errx(EXIT_SOFTWARE, "%s", errstr);
	atexit(cryptor_cleanup);
	/* Before getopt_long can show a passkey in a message. */
	if ((ch = passkey_refuse_argv(argc, argv, "deh",
	    cryptor_options)) != 0)
		cryptor_usage("%s: %s", argv[ch], PASSKEY_NO_OPTION);
	while ((ch = getopt_long(argc, argv, "deh", cryptor_options,
	    NULL)) != -1) {
		switch (ch) {
		case 'd':
		case 'e':
			cryptor_mode(&mode, ch);
			break;
		case 'h':
			fputs(cryptor_synopsis, stdout);
			exit(EXIT_OK);
		case OPT_CONFIG:
			config = optarg;
			break;
		case OPT_FORCE:
			force = 1;
			break;
		case OPT_FORMAT:
			format = credential_format_from_name(optarg);
			if (format == CREDENTIAL_UNKNOWN)
				cryptor_usage("--format: unknown format \"%s\" "
				    "(df1 or odf)", optarg);
			break;
		case OPT_ITERATIONS:
			iterations = cryptor_number(optarg, "--iterations",
			    CREDENTIAL_ITER_MIN, CREDENTIAL_ITER_MAX);
			break;
		case OPT_KEYID:
			keyid = cryptor_number(optarg, "--key-id", 0,
			    UINT32_MAX);
			have_keyid = 1;
			break;
		case OPT_NEW_SALT:
			new_salt = 1;
			break;
		case OPT_PASSKEY_FILE:
			passkey_file = optarg;
			break;
		case OPT_SALT_FROM:
			salt_from = optarg;
			break;
		case OPT_VERSION:
			printf("cryptor (dataflow) %s (schema version %d)\n",
			    PACKAGE_VERSION, SCHEMA_VERSION);
			exit(EXIT_OK);
		case OPT_WRITE_KEY:
			cryptor_mode(&mode, 'k');
			keyfile = optarg;
			break;
		default:
			cryptor_usage(NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (mode == 0)
		cryptor_usage("-e, -d or --write-key is required");
	if (argc > 1)
		cryptor_usage("one TEXT or CIPHERTEXT at most");
	if (force && mode != 'k')
		cryptor_usage("--force applies to --write-key only");
	if (mode == 'k')
		cryptor_check_write_key(argc, format, iterations, have_keyid,
		    new_salt, salt_from, config);
	if (mode == 'd' && (format != CREDENTIAL_DF1 || iterations != 0 ||
	    have_keyid || salt_from != NULL || new_salt || config != NULL))
		cryptor_usage("--format, --iterations, --key-id, --salt-from, "
		    "--new-salt and --config apply to -e only");
	if (format == CREDENTIAL_ODF && (iterations != 0 ||
	    salt_from != NULL || have_keyid || new_salt || config != NULL))
		cryptor_usage("--iterations, --key-id, --salt-from, "
		    "--new-salt and --config apply to the df1 format only");
	if (iterations != 0 && salt_from != NULL)
		cryptor_usage("--iterations and --salt-from are exclusive");
	if (new_salt && (salt_from != NULL || config != NULL))
		cryptor_usage("--new-salt excludes --salt-from and --config");
	if (salt_from != NULL && config != NULL)
		cryptor_usage("--salt-from and --config are exclusive");

	if (argc == 1) {
		len = strlen(argv[0]);
		secret.inputsize = len + 1;
		secret.input = xstrdup(argv[0]);
		if (mode == 'e') {
			warnx("a text given as an argument is visible in "
			    "ps(1); prefer standard input or the prompt");
			/* Shorten the window: /proc/PID/cmdline shows it. */
			explicit_bzero(argv[0], len);
		}
	}

	rv = passkey_get(&secret.pk, passkey_file,
	    PASSKEY_PROMPT | (mode == 'e' ? PASSKEY_CONFIRM : 0), &errstr);
	if (rv == -1)
		errx(EXIT_CONFIG, "%s", errstr);
	if (rv == 0)
		errx(EXIT_CONFIG, "no passkey: set PASSKEY or "
		    "DATAFLOW_PASSKEY_FILE, give --passkey-file, or run on "
		    "a terminal");
	passkey_scrub_env();
	secret.kr = credential_keyring_new(secret.pk.buf, secret.pk.len);
	passkey_clear(&secret.pk);
	if (mode == 'k')
		cryptor_write_key(keyfile, force, salt_from, config);
	if (have_keyid)
		credential_keyring_set_keyid(secret.kr, keyid);
	if (iterations != 0 && credential_keyring_set_iterations(secret.kr,
	    iterations, &errstr) == -1)
		errx(EXIT_USAGE, "--iterations: %s", errstr);
	if (salt_from != NULL && credential_keyring_use_salt_of(secret.kr,
	    salt_from, &errstr) == -1)
		errx(EXIT_DATAERR, "--salt-from: %s", errstr);
	/* --iterations asks for a key of its own: a salt of its own too. */
	if (mode == 'e' && format == CREDENTIAL_DF1 && salt_from == NULL &&
	    !new_salt && iterations == 0)
		cryptor_installation_salt(config);

	if (secret.input == NULL && !isatty(STDIN_FILENO))
		len = cryptor_read_stdin(mode == 'd');
	else if (secret.input == NULL)
		len = cryptor_prompt(mode == 'd');

	if (mode == 'e') {
		if (len > CREDENTIAL_MAXPLAIN)
			errx(EXIT_DATAERR, "the text is too long (at most %d "
			    "bytes)", CREDENTIAL_MAXPLAIN);
		if (credential_encrypt(secret.kr, format, secret.input, len,
		    &out, &errstr) == -1)
			errx(EXIT_SOFTWARE, "%s", errstr);
		cryptor_output(out, strlen(out));
		free(out);
		exit(EXIT_OK);
	}
	rv = credential_decrypt(secret.kr, secret.input, &secret.plain,
	    &secret.plainlen, &errstr);
	switch (rv) {
	case CREDENTIAL_OK:
		break;
	case CREDENTIAL_EFORMAT:
		errx(EXIT_DATAERR, "%s", errstr);
	case CREDENTIAL_EAUTH:
		errx(EXIT_CONFIG, "%s", errstr);
	default:
		errx(EXIT_SOFTWARE, "%s", errstr);
	}
	cryptor_output(secret.plain, secret.plainlen);
	exit(EXIT_OK);
}
