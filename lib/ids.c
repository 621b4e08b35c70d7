/* ids.c: the identifier and dataid rules shared by every program (SPEC §2). */
#include <stdbool.h>
#include <string.h>

#include "ids.h"

/* ASCII only: identifiers must not depend on the locale. */
static bool
ids_is_alpha(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool
ids_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

bool
ident_valid(const char *s)
{
	size_t	 i;

	if (s == NULL || !ids_is_alpha((unsigned char)s[0]))
		return false;
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= IDENT_MAXLEN)
			return false;
		if (!ids_is_alpha((unsigned char)s[i]) &&
		    !ids_is_digit((unsigned char)s[i]))
			return false;
	}
	return true;
}

bool
dataid_valid(const char *s)
{
	size_t	 i;
	int	 c;

	if (s == NULL || s[0] == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= DATAID_MAXLEN)
			return false;
		c = (unsigned char)s[i];
		if (ids_is_alpha(c) || ids_is_digit(c))
			continue;
		if (strchr(".:+=@,-", c) == NULL)
			return false;
	}
	return true;
}

/*
 * The environment names a parameter or a dataset attribute may not set:
 * the one list, used by the configuration check, runjob --param and the
 * export of each run. A pattern is an exact name, "PREFIX*" or "*SUFFIX".
 * Names are compared as they are written (environment names are
 * case-sensitive), but for IDENT_ENV_NOCASE rows, whose readers ignore
 * case. IDENT_ENV_FIXED rows are owned by dataflow, the shell or the
 * dynamic loader: a host's env_allow= cannot widen them. The others change
 * what an interpreter or a library runs, loads or trusts: whoever can
 * write the database must not get that (SPEC §4), unless the host says so.
 */
#define IDENT_ENV_FIXED		0x1
#define IDENT_ENV_NOCASE	0x2

static const struct ident_env_rule {
	const char	*pattern;
	int		 flags;
	const char	*why;
} ident_env_rules[] = {
	/* dataflow's own: the partition, the run, the passkey. */
	{ "dataid", IDENT_ENV_FIXED, "dataflow sets it" },
	{ "jobid", IDENT_ENV_FIXED, "dataflow sets it" },
	{ "DATAFLOW_*", IDENT_ENV_FIXED, "DATAFLOW_*: dataflow sets them" },
	{ "PASSKEY", IDENT_ENV_FIXED, "the passkey stays with runjob" },
	/* Where programs and libraries are found, and the user's files. */
	{ "PATH", IDENT_ENV_FIXED, "where programs are found" },
	{ "HOME", IDENT_ENV_FIXED, "the user's start-up files" },
	{ "SHELL", IDENT_ENV_FIXED, "the shell programs start" },
	{ "LD_*", IDENT_ENV_FIXED, "LD_*: the dynamic loader" },
	/*
	 * A shell runs code before a script's first line: bash expands
	 * BASH_ENV, so a value "$(cmd)" is enough; IFS splits every word.
	 */
	{ "IFS", IDENT_ENV_FIXED, "the shell's word splitting" },
	{ "BASH_ENV", IDENT_ENV_FIXED, "a shell runs it first" },
	{ "ENV", IDENT_ENV_FIXED, "a shell runs it first" },
	{ "SHELLOPTS", IDENT_ENV_FIXED, "the shell's options" },
	{ "BASHOPTS", IDENT_ENV_FIXED, "the shell's options" },
	{ "PS4", IDENT_ENV_FIXED, "the shell expands it when tracing" },
	/* A shell's other behaviour: which directory cd goes to, globbing. */
	{ "CDPATH", 0, "where the shell's cd goes" },
	{ "GLOBIGNORE", 0, "the shell's globbing" },
	/* Interpreters: options, modules and code loaded at start-up. */
	{ "PERL*", 0, "PERL*: Perl's options, modules and debugger" },
	{ "PYTHON*", 0, "PYTHON*: Python's options, modules and start-up" },
	{ "NODE_*", 0, "NODE_*: Node.js options and modules" },
	{ "npm_config_*", IDENT_ENV_NOCASE,
	    "npm_config_*: npm's settings, its script shell among them" },
	{ "RUBY*", 0, "RUBY*: Ruby's options and libraries" },
	{ "GEM_*", 0, "GEM_*: where Ruby's gems come from" },
	{ "BUNDLE_*", 0, "BUNDLE_*: Bundler's Gemfile and settings" },
	{ "LUA_*", 0, "LUA_*: Lua's modules and start-up code" },
	{ "PHPRC", 0, "PHP's configuration" },
	{ "PHP_INI_SCAN_DIR", 0, "PHP's configuration" },
	{ "R_PROFILE*", 0, "R_PROFILE*: R's start-up code" },
	{ "R_ENVIRON*", 0, "R_ENVIRON*: R's start-up settings" },
	{ "R_LIBS*", 0, "R_LIBS*: where R's packages come from" },
	{ "TCLLIBPATH", 0, "where Tcl's packages come from" },
	/* The JVM and .NET: agents, class paths, start-up hooks. */
	{ "JAVA_TOOL_OPTIONS", 0, "options every JVM takes (agents)" },
	{ "_JAVA_OPTIONS", 0, "options every JVM takes (agents)" },
	{ "JDK_JAVA_OPTIONS", 0, "options every JVM takes (agents)" },
	{ "JAVA_OPTS", 0, "options of Java launcher scripts (agents)" },
	{ "CLASSPATH", 0, "where Java's classes come from" },
	{ "DOTNET_*", 0, "DOTNET_*: .NET start-up hooks and settings" },
	{ "CORECLR_*", 0, "CORECLR_*: .NET profilers (libraries loaded)" },
	/* Go's tool chain: tool wrappers, downloads. */
	{ "GOFLAGS", 0, "flags of every go command (-toolexec)" },
	{ "GOTOOLCHAIN", 0, "which Go tool chain is downloaded and run" },
	{ "GOPROXY", 0, "where Go modules come from" },
	/* The C library: character set modules, locales, malloc, DNS. */
	{ "GCONV_PATH", 0, "the C library loads character set modules" },
	{ "GLIBC_TUNABLES", 0, "the C library's tunables" },
	{ "MALLOC_*", 0, "MALLOC_*: the C library's allocator" },
	{ "LOCPATH", 0, "where the C library's locales come from" },
	{ "NLSPATH", 0, "where message catalogues come from" },
	{ "TZDIR", 0, "where time zone files come from" },
	{ "HOSTALIASES", 0, "host name aliases of the resolver" },
	{ "RES_OPTIONS", 0, "the resolver's options" },
	{ "LOCALDOMAIN", 0, "the resolver's search domains" },
	{ "TMPDIR", 0, "where temporary files are made" },
	/* Other systems' loaders. */
	{ "DYLD_*", 0, "DYLD_*: the macOS dynamic loader" },
	{ "LIBPATH", 0, "the AIX dynamic loader" },
	/* Programs that other programs start. */
	{ "BROWSER", 0, "the program a library opens URLs with" },
	{ "EDITOR", 0, "the program started to edit" },
	{ "VISUAL", 0, "the program started to edit" },
	{ "PAGER", 0, "the program started to page" },
	{ "SSH_*", 0, "SSH_*: ssh's agent and password program" },
	/* Where clients connect, and with what: libpq, git, proxies, TLS. */
	{ "PG*", 0, "PG*: libpq's connection settings (where the job's "
	    "database password goes)" },
	{ "GIT_*", 0, "GIT_*: git's commands, configuration and ssh" },
	{ "*_proxy", IDENT_ENV_NOCASE, "*_proxy: where HTTP clients send "
	    "their requests" },
	{ "SSL_CERT_*", 0, "SSL_CERT_*: which TLS certificates are trusted" },
	{ "OPENSSL_*", 0, "OPENSSL_*: OpenSSL's configuration (modules "
	    "loaded)" },
	{ "CURL_*", 0, "CURL_*: curl's configuration and trusted "
	    "certificates" },
	{ "REQUESTS_CA_BUNDLE", 0, "which TLS certificates are trusted" },
	{ "KRB5*", 0, "KRB5*: Kerberos' configuration and credentials" }
};

/* ASCII case folding: names must not depend on the locale. */
static int
ids_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Compare n bytes of a and b, ignoring ASCII case when nocase. */
static bool
ids_same(const char *a, const char *b, size_t n, bool nocase)
{
	size_t	 i;

	if (!nocase)
		return strncmp(a, b, n) == 0;
	for (i = 0; i < n; i++) {
		if (ids_lower((unsigned char)a[i]) !=
		    ids_lower((unsigned char)b[i]))
			return false;
	}
	return true;
}

static bool
ids_rule_matches(const struct ident_env_rule *r, const char *name)
{
	size_t	 plen = strlen(r->pattern), nlen = strlen(name);
	bool	 nocase = (r->flags & IDENT_ENV_NOCASE) != 0;

	if (r->pattern[plen - 1] == '*')
		return nlen >= plen - 1 &&
		    ids_same(name, r->pattern, plen - 1, nocase);
	if (r->pattern[0] == '*')
		return nlen >= plen - 1 &&
		    ids_same(name + nlen - (plen - 1), r->pattern + 1,
		    plen - 1, nocase);
	return nlen == plen && ids_same(name, r->pattern, plen, nocase);
}

/* The first rule that name matches, or NULL. */
static const struct ident_env_rule *
ids_env_rule(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof ident_env_rules / sizeof ident_env_rules[0];
	    i++) {
		if (ids_rule_matches(&ident_env_rules[i], name))
			return &ident_env_rules[i];
	}
	return NULL;
}

const char *
ident_env_refusal(const char *name, const char *const *allow)
{
	const struct ident_env_rule	*r;
	size_t				 i;

	if (!ident_valid(name))
		return "not an identifier";
	if ((r = ids_env_rule(name)) == NULL)
		return NULL;
	if ((r->flags & IDENT_ENV_FIXED) == 0) {
		for (i = 0; allow != NULL && allow[i] != NULL; i++) {
			if (strcmp(allow[i], name) == 0)
				return NULL;
		}
	}
	return r->why;
}

bool
ident_env_fixed(const char *name)
{
	const struct ident_env_rule	*r;

	if (!ident_valid(name))
		return true;
	r = ids_env_rule(name);
	return r != NULL && (r->flags & IDENT_ENV_FIXED) != 0;
}

bool
ident_param_allowed(const char *name)
{
	return ident_env_refusal(name, NULL) == NULL;
}
