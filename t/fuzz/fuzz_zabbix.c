/*
 * fuzz_zabbix.c -- a Zabbix reply through what the client reads it with
 * (zabbix.h, "Reading replies"): hg_zbx_reply, then by method the login
 * token (hg_zbx_token), a .get lookup (hg_zbx_find) or host.create's
 * hostid (hg_zbx_created).
 *
 * Input: byte 0 picks the method, byte 1 the request id (1..4) and the
 * name looked up; the rest is the body, any bytes.  Whatever it is, the
 * functions return 0 or HG_ZBX_EFAIL, a failure says why in z_err as one
 * line of well-formed UTF-8 (it reaches API replies and task messages),
 * and what is found is a non-empty C string.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "utf8.h"
#include "zabbix.h"

static const char *const methods[] = {
	"user.login", "hostgroup.get", "template.get", "host.get",
	"host.create", "host.update", "host.delete", "user.logout",
};
static const char *const names[] = {
	"Linux servers", "Zabbix servers", "Linux by Zabbix agent", "web-1",
	"10084", "",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_err(const struct hg_zbx *z)
{
	const char	*p;

	if (z->z_err[0] == '\0' ||
	    !hg_utf8_wellformed(z->z_err, strlen(z->z_err)))
		abort();
	for (p = z->z_err; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hg_arena	 a;
	struct hg_zbx	 z;
	json_object	*res;
	const char	*method, *name, *s;
	int		 rc;

	if (size < 2)
		return 0;
	method = methods[data[0] % NELEM(methods)];
	name = names[(data[1] >> 2) % NELEM(names)];
	hg_arena_init(&a);
	memset(&z, 0, sizeof(z));
	z.z_arena = &a;
	rc = hg_zbx_reply(&z, method, 1 + (data[1] & 3),
	    (const char *)data + 2, size - 2, &res);
	if (rc != 0) {
		if (rc != HG_ZBX_EFAIL)
			abort();
		check_err(&z);
		goto out;
	}
	switch (data[0] % NELEM(methods)) {
	case 0:
		if ((rc = hg_zbx_token(&z, res, &s)) == 0 &&
		    (s == NULL || *s == '\0'))
			abort();
		break;
	case 1:
		s = hg_zbx_find(res, "name", name, "groupid");
		break;
	case 2:
		if ((s = hg_zbx_find(res, "host", name, "templateid")) == NULL)
			s = hg_zbx_find(res, "name", name, "templateid");
		break;
	case 3:
		s = hg_zbx_find(res, "host", name, "hostid");
		break;
	case 4:
		rc = hg_zbx_created(&z, res, name, &s);
		break;
	default:
		s = hg_zbx_find(res, "hostid", name, "hostid");
		break;
	}
	if (rc != 0) {
		if (rc != HG_ZBX_EFAIL)
			abort();
		check_err(&z);
	} else if (s != NULL && *s == '\0')
		abort();
out:
	hg_arena_free(&a);
	return 0;
}
