/*
 * timefmt.c -- RFC 3339 output and flexible time input (see timefmt.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

static int	tz_system = 1;
static long	tz_fixed;

int
hg_tz_valid(const char *tz)
{
	int h, m;

	if (tz == NULL || strcmp(tz, "system") == 0 || strcmp(tz, "Z") == 0 ||
	    strcmp(tz, "UTC") == 0)
		return 1;
	return (tz[0] == '+' || tz[0] == '-') && strlen(tz) == 6 &&
	    sscanf(tz + 1, "%2d:%2d", &h, &m) == 2 && h <= 14 && m <= 59 &&
	    tz[3] == ':';
}

int
hg_tz_init(const char *tz)
{
	int h, m;

	if (tz == NULL || strcmp(tz, "system") == 0) {
		tz_system = 1;
		tzset();
		return 0;
	}
	tz_system = 0;
	if (strcmp(tz, "Z") == 0 || strcmp(tz, "UTC") == 0) {
		tz_fixed = 0;
		return 0;
	}
	if ((tz[0] != '+' && tz[0] != '-') || strlen(tz) != 6 ||
	    sscanf(tz + 1, "%2d:%2d", &h, &m) != 2 || h > 14 || m > 59)
		return -1;
	tz_fixed = (h * 3600L + m * 60L) * (tz[0] == '-' ? -1 : 1);
	return 0;
}

long
hg_tz_offset(time_t t)
{
	static time_t	 hour = -1;
	static long	 off;
	struct tm	 tm;

	if (!tz_system)
		return tz_fixed;
	/* Offsets change on the hour at most; localtime_r is not cheap. */
	if (t / 3600 != hour) {
		localtime_r(&t, &tm);
		off = tm.tm_gmtoff;
		hour = t / 3600;
	}
	return off;
}

void
hg_time_db(time_t t, char buf[20])
{
	struct tm	tm;
	char		tmp[64];

	gmtime_r(&t, &tm);
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d %02d:%02d:%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	memcpy(buf, tmp, 19);
	buf[19] = '\0';
}

/* Digits at s..s+n-1 as a number; -1 if any is not a digit. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (; n > 0; n--, s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* Two decimal digits of n (0..99) at p; returns the end. */
static char *
put2(char *p, int n)
{
	*p++ = (char)('0' + n / 10 % 10);
	*p++ = (char)('0' + n % 10);
	return p;
}

char *
hg_time_out(struct hg_arena *a, const char *db)
{
	struct tm	tm;
	time_t		t;
	long		off;
	char		*out, *p;

	if (db == NULL)
		return NULL;
	memset(&tm, 0, sizeof(tm));
	/* "YYYY-MM-DD HH:MM:SS", read by hand: this runs for every time shown */
	if (strlen(db) < 19 || (tm.tm_year = digits(db, 4)) < 0 ||
	    (tm.tm_mon = digits(db + 5, 2)) < 0 ||
	    (tm.tm_mday = digits(db + 8, 2)) < 0 ||
	    (tm.tm_hour = digits(db + 11, 2)) < 0 ||
	    (tm.tm_min = digits(db + 14, 2)) < 0 ||
	    (tm.tm_sec = digits(db + 17, 2)) < 0)
		return hg_strdup(a, db);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	off = hg_tz_offset(t);
	t += off;
	gmtime_r(&t, &tm);
	/* Written digit by digit: printf was a tenth of a list's CPU time. */
	out = p = hg_alloc(a, sizeof("YYYY-MM-DDTHH:MM:SS+HH:MM"));
	p = put2(put2(p, (tm.tm_year + 1900) / 100), (tm.tm_year + 1900) % 100);
	*p++ = '-';
	p = put2(p, tm.tm_mon + 1);
	*p++ = '-';
	p = put2(p, tm.tm_mday);
	*p++ = 'T';
	p = put2(p, tm.tm_hour);
	*p++ = ':';
	p = put2(p, tm.tm_min);
	*p++ = ':';
	p = put2(p, tm.tm_sec);
	if (off == 0 && !tz_system)
		*p++ = 'Z';
	else {
		*p++ = off < 0 ? '-' : '+';
		p = put2(p, (int)(labs(off) / 3600));
		*p++ = ':';
		p = put2(p, (int)(labs(off) % 3600 / 60));
	}
	*p = '\0';
	return out;
}

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static int
valid_tm(const struct tm *tm)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int	y = tm->tm_year + 1900;
	int	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return tm->tm_year >= 70 && tm->tm_year <= 8099 && tm->tm_mon >= 0 &&
	    tm->tm_mon < 12 && tm->tm_mday >= 1 &&
	    tm->tm_mday <= mdays[tm->tm_mon] + (tm->tm_mon == 1 && leap) &&
	    tm->tm_hour >= 0 && tm->tm_hour < 24 && tm->tm_min >= 0 &&
	    tm->tm_min < 60 && tm->tm_sec >= 0 && tm->tm_sec < 61;
}

/* Exactly two digits at p (sscanf's %2d would also take "-1" or " 1"). */
static int
two_digits(const char *p)
{
	return isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]);
}

int
hg_parse_time(const char *s, int upper, long long *out)
{
	struct tm	tm;
	int		n = 0, oh, om;
	char		sign;
	const char	*p;
	time_t		t;

	if (s == NULL || strlen(s) > 40)
		return -1;
	if (all_digits(s)) {
		if (strlen(s) > 12)
			return -1;
		*out = strtoll(s, NULL, 10);
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &n) != 3 || n != 10)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	p = s + n;
	if (*p == '\0') {
		/* A bare date is a day in the configured zone. */
		if (!valid_tm(&tm))
			return -1;
		t = timegm(&tm);
		t -= hg_tz_offset(t);
		*out = (long long)t + (upper ? 86399 : 0);
		return 0;
	}
	if (strlen(p) < 9 || (*p != 'T' && *p != 't' && *p != ' ') ||
	    !two_digits(p + 1) ||
	    !two_digits(p + 4) || !two_digits(p + 7) ||
	    sscanf(p + 1, "%2d:%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    &n) != 3 || n != 8)
		return -1;
	p += 1 + n;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (!valid_tm(&tm))
		return -1;
	t = timegm(&tm);
	if (*p == 'Z' || *p == 'z') {
		if (p[1] != '\0')
			return -1;
	} else if (*p == '+' || *p == '-') {
		if (sscanf(p, "%c%2d:%2d%n", &sign, &oh, &om, &n) != 3 || n != 6 ||
		    p[6] != '\0' || oh > 14 || om > 59)
			return -1;
		t -= (sign == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
	} else
		return -1;
	*out = (long long)t;
	return 0;
}
