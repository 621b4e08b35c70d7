/* test_listing.c: unit tests for lib/listing.c that need no server: the
 * grid's cells and columns, and the text every JSON document is printed
 * as; see data/listing.tsv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "listing.h"
#include "tsv.h"

static void
test_table(void **state)
{
	const struct tcase	*c = *state;
	json_t			*o;
	char			*s;

	if (strcmp(c->f[0], "cells") == 0) {
		o = listing_json_value(c->f[1]);
		s = listing_grid_cells(o, strtoul(c->f[2], NULL, 10));
		assert_string_equal(s, c->f[3]);
		free(s);
		json_decref(o);
	} else if (strcmp(c->f[0], "ncols") == 0) {
		assert_int_equal(listing_grid_ncols(strtoul(c->f[1], NULL, 10),
		    strtol(c->f[2], NULL, 10), atoi(c->f[3])),
		    strtoul(c->f[4], NULL, 10));
	} else if (strcmp(c->f[0], "text") == 0) {
		o = listing_json_value(c->f[1]);
		s = listing_json_text(o);
		assert_non_null(s);
		assert_string_equal(s, c->f[2]);
		free(s);
		json_decref(o);
	} else
		fail_msg("unknown kind \"%s\"", c->f[0]);
}

/* Every state has its own cell, in the legend's order; no work a blank. */
static void
test_cells(void **state)
{
	size_t	 i, k;

	(void)state;
	assert_int_equal(listing_ncells, 7);
	for (i = 0; i < listing_ncells; i++) {
		assert_int_equal(listing_grid_cell(listing_cells[i].state),
		    listing_cells[i].c);
		for (k = 0; k < i; k++)
			assert_int_not_equal(listing_cells[i].c,
			    listing_cells[k].c);
	}
	assert_int_equal(listing_grid_cell("succeeded"), '#');
	assert_int_equal(listing_grid_cell(NULL), ' ');
	assert_int_equal(listing_grid_cell("unheard-of"), '?');
}

/* Text that is not JSON reads as null, not as an error. */
static void
test_value(void **state)
{
	json_t	*o;

	(void)state;
	assert_true(json_is_null(o = listing_json_value(NULL)));
	json_decref(o);
	assert_true(json_is_null(o = listing_json_value("{")));
	json_decref(o);
	o = listing_json_value("7");
	assert_int_equal(json_integer_value(o), 7);
	json_decref(o);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_value),
	};

	return tsv_run_group("listing", fixed, sizeof fixed / sizeof fixed[0],
	    TEST_DATADIR "/listing.tsv", 3, test_table);
}
