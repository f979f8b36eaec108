/*
 * reply.c -- success bodies, the one error path, and rendering.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hangard.h"
#include "log.h"

/*
 * Record the request's error.  A server-side failure already recorded (the
 * database went away while a check ran, say) is never replaced by a later
 * client error that the failed check led to: the caller gets the 503.
 */
static int
vfail(struct hg_req *r, int http, int code, const char *fmt, va_list ap)
{
	if (r->r_err != 0 && r->r_err_http >= 500 && http < 500)
		return r->r_err;
	r->r_err = code;
	r->r_err_http = http;
	r->r_err_msg = fmt ? hg_vprintf(r->r_arena, fmt, ap) : hg_err_message(code);
	return code;
}

/* Fail with a global code (err.h); fmt NULL uses the code's default text. */
int
hg_fail(struct hg_req *r, int code, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = vfail(r, hg_err_http(code), code, fmt, ap);
	va_end(ap);
	return rc;
}

/* Fail with a module code (3000x, 300001) and the HTTP status API.md gives. */
int
hg_fail_http(struct hg_req *r, int http, int code, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = vfail(r, http, code, fmt, ap);
	va_end(ap);
	return rc;
}

/* Validation failure of one field. */
int
hg_invalid(struct hg_req *r, const char *field, const char *why)
{
	json_object *e;

	if (r->r_err != 0 && r->r_err_http >= 500)
		return r->r_err;	/* see vfail */
	e = hg_own(r, json_object_new_object());
	json_object_object_add(e, field, json_object_new_string(why));
	r->r_err_fields = e;
	return hg_fail(r, HG_E_INVALID, "validation failed: %s %s", field, why);
}

json_object *
hg_own(struct hg_req *r, json_object *j)
{
	return hg_json_own(r->r_arena, j);
}

/* j is owned by the response from here on. */
int
hg_reply(struct hg_req *r, int status, json_object *j)
{
	if (r->r_out != NULL)
		json_object_put(r->r_out);
	r->r_status = status;
	r->r_out = j;
	return 0;
}

int
hg_reply_ok(struct hg_req *r)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, "message", json_object_new_string("success"));
	return hg_reply(r, 200, j);
}

void
hg_header(struct hg_req *r, const char *fmt, ...)
{
	va_list	 ap;
	char	*line;

	va_start(ap, fmt);
	line = hg_vprintf(r->r_arena, fmt, ap);
	va_end(ap);
	r->r_headers = hg_printf(r->r_arena, "%s%s\r\n",
	    r->r_headers ? r->r_headers : "", line);
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Internal Server Error";
	}
}

/* Write the status line, headers and JSON body: errors and success alike. */
void
hg_render(struct hg_req *r)
{
	json_object	*body;
	const char	*text;
	char		 head[768];
	size_t		 len;
	int		 n;

	if (r->r_err != 0) {
		if (r->r_out != NULL)
			json_object_put(r->r_out);
		r->r_status = r->r_err_http ? r->r_err_http : hg_err_http(r->r_err);
		body = json_object_new_object();
		json_object_object_add(body, "error_code",
		    json_object_new_int(r->r_err));
		json_object_object_add(body, "message", json_object_new_string(
		    r->r_err_msg ? r->r_err_msg : hg_err_message(r->r_err)));
		if (r->r_err_fields != NULL)
			json_object_object_add(body, "errors",
			    json_object_get(r->r_err_fields));
		r->r_out = body;
	}
	if (r->r_out == NULL)
		hg_reply_ok(r);
	else if (r->r_err == 0 && r->r_status == 200 && r->r_route != NULL &&
	    r->r_route->rt_success &&
	    json_object_is_type(r->r_out, json_type_object) &&
	    !json_object_object_get_ex(r->r_out, "message", NULL))
		json_object_object_add(r->r_out, "message",
		    json_object_new_string("success"));
	text = json_object_to_json_string_length(r->r_out,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	n = snprintf(head, sizeof(head),
	    "Status: %d %s\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n"
	    "X-Request-Id: %s\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "Content-Security-Policy: default-src 'none'; "
	    "frame-ancestors 'none'\r\n"
	    "%s",
	    r->r_status, reason(r->r_status), len, r->r_id, r->r_https ?
	    "Strict-Transport-Security: max-age=31536000\r\n" : "");
	FCGX_PutStr(head, n, r->r_fcgi->out);
	if (r->r_headers != NULL)
		FCGX_PutStr(r->r_headers, (int)strlen(r->r_headers),
		    r->r_fcgi->out);
	FCGX_PutStr("\r\n", 2, r->r_fcgi->out);
	if (strcmp(r->r_method, "HEAD") != 0)
		FCGX_PutStr(text, (int)len, r->r_fcgi->out);
	r->r_bytes = len;
	json_object_put(r->r_out);
	r->r_out = NULL;
}
