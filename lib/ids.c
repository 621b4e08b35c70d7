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

bool
ident_param_allowed(const char *name)
{
	/*
	 * Environment names are case-sensitive: only these exact names.
	 * BASH_ENV, ENV, SHELLOPTS, BASHOPTS and PS4 make a shell script run
	 * code before its first line (bash expands BASH_ENV, so a value
	 * "$(cmd)" is enough): whoever can write a parameter or a dataset's
	 * extra attribute (BASH + ENV) into the database must not get that.
	 */
	static const char *const reserved[] = {
		"PATH", "HOME", "SHELL", "IFS", "dataid", "jobid", "PASSKEY",
		"BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "PS4"
	};
	static const char *const prefixes[] = { "LD_", "DATAFLOW_" };
	size_t	 i;

	if (!ident_valid(name))
		return false;
	for (i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
		if (strcmp(name, reserved[i]) == 0)
			return false;
	}
	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return false;
	}
	return true;
}
