/*
 * fuzz_ids.c: fuzz target for the identifier and dataid rules (lib/ids.c)
 * that guard environment names, SQL values and file names.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ids.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;
	size_t	 len;

	if ((s = fuzz_cstr(data, size)) == NULL)
		return 0;
	len = strlen(s);
	if (ident_valid(s)) {
		FUZZ_CHECK(len >= 1 && len <= IDENT_MAXLEN);
		FUZZ_CHECK(strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789_") == len);
		FUZZ_CHECK(!(s[0] >= '0' && s[0] <= '9'));
		/* Every identifier is a valid dataid too. */
		FUZZ_CHECK(dataid_valid(s));
	}
	if (ident_param_allowed(s)) {
		FUZZ_CHECK(ident_valid(s));
		/* Nothing that the loader, the shell or dataflow owns. */
		FUZZ_CHECK(strcmp(s, "PATH") != 0 && strcmp(s, "IFS") != 0);
		FUZZ_CHECK(strncmp(s, "LD_", 3) != 0);
		FUZZ_CHECK(strncmp(s, "DATAFLOW_", 9) != 0);
		FUZZ_CHECK(strcmp(s, "PASSKEY") != 0);
	}
	if (dataid_valid(s)) {
		FUZZ_CHECK(len >= 1 && len <= DATAID_MAXLEN);
		/* Safe in file names, environment values and logs. */
		FUZZ_CHECK(strpbrk(s, "/ \t\n\r'\"\\;$`*?") == NULL);
	}
	free(s);
	return 0;
}
