/*
 * err.h -- API error codes (API.md section 1) and their HTTP statuses.
 *
 * Functions in lib/ and handlers return 0 on success or one of these codes;
 * one function in hangard renders the error body.  Module codes (3000x,
 * 300001) are defined beside the resources that use them and carry their
 * HTTP status explicitly (see hg_fail_http in hangard).
 */
#ifndef HG_ERR_H
#define HG_ERR_H

enum hg_errcode {
	HG_OK		= 0,
	HG_E_JSON	= 10001,	/* 400 body is not valid JSON */
	HG_E_INVALID	= 10002,	/* 400 validation failed */
	HG_E_CTYPE	= 10003,	/* 415 body is not application/json */
	HG_E_TOOBIG	= 10004,	/* 413 body too large */
	HG_E_AUTH	= 10005,	/* 401 authentication required */
	HG_E_LOGIN	= 10006,	/* 401 wrong username or password */
	HG_E_PERM	= 10007,	/* 403 permission denied */
	HG_E_NOTFOUND	= 10008,	/* 404 no such route or object */
	HG_E_METHOD	= 10009,	/* 405 method not allowed */
	HG_E_CONFLICT	= 10010,	/* 409 duplicate or still referenced */
	HG_E_THROTTLE	= 10011,	/* 429 too many attempts */
	HG_E_UNAVAIL	= 10012,	/* 503 database or queue unavailable */
	HG_E_INTERNAL	= 10013,	/* 500 internal error */
	HG_E_CSRF	= 10014,	/* 403 CSRF token missing or wrong */
	HG_E_STATE	= 10015,	/* 409 action not allowed in this state */
};

int		 hg_err_http(int code);		/* HTTP status of a global code */
const char	*hg_err_message(int code);	/* default human text */

#endif
