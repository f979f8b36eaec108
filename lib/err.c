/*
 * err.c -- the global error table of API.md section 1.
 */
#include <stddef.h>

#include "err.h"

static const struct {
	int		 code;
	int		 http;
	const char	*msg;
} errs[] = {
	{ HG_E_JSON,	 400, "request body is not valid JSON" },
	{ HG_E_INVALID,	 400, "validation failed" },
	{ HG_E_CTYPE,	 415, "request body must be application/json" },
	{ HG_E_TOOBIG,	 413, "request body too large" },
	{ HG_E_AUTH,	 401, "authentication required" },
	{ HG_E_LOGIN,	 401, "wrong username or password" },
	{ HG_E_PERM,	 403, "permission denied" },
	{ HG_E_NOTFOUND, 404, "not found" },
	{ HG_E_METHOD,	 405, "method not allowed" },
	{ HG_E_CONFLICT, 409, "conflict with an existing object" },
	{ HG_E_THROTTLE, 429, "too many attempts, try again later" },
	{ HG_E_UNAVAIL,	 503, "database or queue unavailable; nothing was changed" },
	{ HG_E_INTERNAL, 500, "internal error" },
	{ HG_E_CSRF,	 403, "CSRF token missing or wrong" },
	{ HG_E_STATE,	 409, "action not allowed in the current state" },
};

int
hg_err_http(int code)
{
	size_t i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (errs[i].code == code)
			return errs[i].http;
	return 500;
}

const char *
hg_err_message(int code)
{
	size_t i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (errs[i].code == code)
			return errs[i].msg;
	return "error";
}
