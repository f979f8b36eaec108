/*
 * timefmt.h -- times as the API shows them (API.md section 1).
 *
 * Stored in UTC as DATETIME; shown as RFC 3339 with the offset of the
 * configured `timezone` ("system", "Z", or "+HH:MM"); accepted as RFC 3339,
 * YYYY-MM-DD (in the configured zone), or Unix seconds.
 */
#ifndef HG_TIMEFMT_H
#define HG_TIMEFMT_H

#include <time.h>

#include "arena.h"

int	 hg_tz_init(const char *tz);		/* -1: bad value */
int	 hg_tz_valid(const char *tz);		/* 1 if hg_tz_init would take it */
long	 hg_tz_offset(time_t);			/* seconds east of UTC */
/* "YYYY-MM-DD HH:MM:SS" (UTC, from MySQL) to RFC 3339; NULL stays NULL. */
char	*hg_time_out(struct hg_arena *, const char *dbtime);
/* Unix seconds to "YYYY-MM-DD HH:MM:SS" UTC, for binding. */
void	 hg_time_db(time_t, char buf[20]);
/* Parse an input time; upper: a bare date means its last second. */
int	 hg_parse_time(const char *, int upper, long long *out);

#endif
