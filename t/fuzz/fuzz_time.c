/*
 * fuzz_time.c -- the time parser of filters and bodies (hg_parse_time:
 * RFC 3339, YYYY-MM-DD, Unix seconds) and the database's DATETIME shown
 * back (hg_time_db, hg_time_out): what parses must write back and parse
 * again to the same instant.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "timefmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 tz;
	struct hg_arena	 a;
	long long	 t, t2;
	char		*s, db[20];
	const char	*out;
	int		 upper;

	if (!tz)
		tz = hg_tz_init("+05:45") == 0;
	if (size == 0)
		return 0;
	hg_arena_init(&a);
	upper = data[0] & 1;
	s = hg_alloc(&a, size);
	memcpy(s, data + 1, size - 1);
	if (hg_parse_time(s, upper, &t) == 0 && t >= 0 && t < 253402214400LL) {
		hg_time_db((time_t)t, db);
		out = hg_time_out(&a, db);
		if (out == NULL || hg_parse_time(out, 0, &t2) != 0 || t2 != t)
			abort();
	}
	(void)hg_time_out(&a, s);
	hg_arena_free(&a);
	return 0;
}
