/*
 * client.c -- the API tests' shared client (see client.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <mysql.h>
#include <sodium.h>

#include "client.h"

struct buf {
	char	*b_data;
	size_t	 b_len;
};

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	struct buf	*b = arg;
	size_t		 len = size * n;

	b->b_data = realloc(b->b_data, b->b_len + len + 1);
	ck_assert_ptr_nonnull(b->b_data);
	memcpy(b->b_data + b->b_len, p, len);
	b->b_len += len;
	b->b_data[b->b_len] = '\0';
	return len;
}

static const char *
base_url(void)
{
	const char *u = getenv("HANGAR_URL");

	return u ? u : "http://127.0.0.1:18080";
}

struct resp *
api_raw(const char *method, const char *path, const char *token,
    const char *ctype, const char *body, size_t len, const char *const *headers)
{
	CURL			*c = curl_easy_init();
	struct curl_slist	*h = NULL;
	struct buf		 out = { NULL, 0 }, hdr = { NULL, 0 };
	struct resp		*r = calloc(1, sizeof(*r));
	char			 url[8192], line[512];
	CURLcode		 rc;

	ck_assert_ptr_nonnull(c);
	snprintf(url, sizeof(url), "%s%s", base_url(), path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (token != NULL) {
		snprintf(line, sizeof(line), "Authorization: Token %s", token);
		h = curl_slist_append(h, line);
	}
	if (ctype != NULL) {
		snprintf(line, sizeof(line), "Content-Type: %s", ctype);
		h = curl_slist_append(h, line);
	}
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	h = curl_slist_append(h, "Expect:");
	for (; headers != NULL && *headers != NULL; headers++)
		h = curl_slist_append(h, *headers);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hdr);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	rc = curl_easy_perform(c);
	ck_assert_msg(rc == CURLE_OK, "%s %s: %s", method, path,
	    curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	r->body = out.b_data ? out.b_data : strdup("");
	r->len = out.b_len;
	r->headers = hdr.b_data ? hdr.b_data : strdup("");
	r->json = r->len ? json_tokener_parse(r->body) : NULL;
	return r;
}

struct resp *
api(const char *method, const char *path, const char *token, const char *json)
{
	return api_raw(method, path, token, json ? "application/json" : NULL,
	    json, json ? strlen(json) : 0, NULL);
}

struct resp *
api_f(const char *method, const char *path, const char *token,
    const char *fmt, ...)
{
	struct resp	*r;
	char		*body;
	va_list		 ap;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&body, fmt, ap), 0);
	va_end(ap);
	r = api(method, path, token, body);
	free(body);
	return r;
}

void
resp_free(struct resp *r)
{
	if (r == NULL)
		return;
	if (r->json)
		json_object_put(r->json);
	free(r->body);
	free(r->headers);
	free(r);
}

const char *
resp_header(struct resp *r, const char *name)
{
	static char	 val[1024];
	const char	*p = r->headers;
	size_t		 n = strlen(name);

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			snprintf(val, sizeof(val), "%.*s", (int)strcspn(p, "\r\n"), p);
			return val;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return NULL;
}

const char *
uniq(const char *prefix)
{
	static int	n;
	static char	buf[8][128];
	char		*b = buf[n % 8];

	snprintf(b, sizeof(buf[0]), "%s-%ld-%d", prefix, (long)getpid(), n++);
	return b;
}

/* Log in with a password and create a token through the cookie session. */
static char *
token_for(const char *user, const char *password)
{
	CURL			*c;
	struct curl_slist	*h = NULL;
	struct buf		 out = { NULL, 0 };
	char			 url[1024], body[1024], line[256];
	json_object		*j, *v;
	char			*csrf, *tok;

	c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");	/* in-memory jar */
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
	snprintf(url, sizeof(url), "%s/auth/login/", base_url());
	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": \"%s\"}",
	    user, password);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	j = json_tokener_parse(out.b_data);
	ck_assert_msg(j != NULL && json_object_object_get_ex(j, "csrf_token", &v),
	    "login as %s failed: %s", user, out.b_data);
	csrf = strdup(json_object_get_string(v));
	json_object_put(j);
	free(out.b_data);
	out.b_data = NULL;
	out.b_len = 0;
	snprintf(line, sizeof(line), "X-CSRF-Token: %s", csrf);
	h = curl_slist_append(h, line);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	snprintf(url, sizeof(url), "%s/auth-tokens/", base_url());
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{\"name\": \"test\"}");
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	j = json_tokener_parse(out.b_data);
	ck_assert_msg(j != NULL && json_object_object_get_ex(j, "value", &v),
	    "token for %s failed: %s", user, out.b_data);
	tok = strdup(json_object_get_string(v));
	json_object_put(j);
	free(out.b_data);
	free(csrf);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return tok;
}

const char *
admin_token(void)
{
	static char *tok;

	if (tok == NULL) {
		const char *pw = getenv("HANGAR_ADMIN_PASSWORD");

		ck_assert_msg(pw != NULL, "HANGAR_ADMIN_PASSWORD is not set");
		tok = token_for("admin", pw);
	}
	return tok;
}

const char *
user_token(const char *name, int super, long long *id)
{
	struct resp	*r;
	char		 pw[200];

	snprintf(pw, sizeof(pw), "password-%s", name);
	r = api_f("POST", "/users/", admin_token(), "{\"username\": \"%s\", "
	    "\"password\": \"%s\", \"is_superuser\": %s}", name, pw,
	    super ? "true" : "false");
	ck_assert_msg(r->status == 201, "creating user %s: %ld %s", name,
	    r->status, r->body);
	if (id != NULL)
		*id = jint(r->json, "id");
	resp_free(r);
	return token_for(name, pw);
}

/* ---- database ------------------------------------------------------- */

static MYSQL *
dbc(void)
{
	static MYSQL	*m;
	char		 sock[1024];
	const char	*dir = getenv("HANGAR_DIR");

	if (m != NULL)
		return m;
	ck_assert_msg(dir != NULL, "HANGAR_DIR is not set");
	snprintf(sock, sizeof(sock), "%s/mysql.sock", dir);
	m = mysql_init(NULL);
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	ck_assert_msg(mysql_real_connect(m, NULL, "root", "", "hangar", 0, sock,
	    0) != NULL, "cannot connect to %s: %s", sock, mysql_error(m));
	return m;
}

char *
db_str(const char *sql)
{
	MYSQL		*m = dbc();
	MYSQL_RES	*res;
	MYSQL_ROW	 row;
	char		*s = NULL;

	ck_assert_msg(mysql_query(m, sql) == 0, "%s: %s", sql, mysql_error(m));
	res = mysql_store_result(m);
	if (res != NULL && (row = mysql_fetch_row(res)) != NULL && row[0] != NULL)
		s = strdup(row[0]);
	if (res != NULL)
		mysql_free_result(res);
	return s;
}

long long
db_int(const char *sql)
{
	char		*s = db_str(sql);
	long long	 n = s ? strtoll(s, NULL, 10) : 0;

	free(s);
	return n;
}

const char *
hg_sql_user(const char *name, int super, char *buf, size_t len)
{
	snprintf(buf, len, "INSERT INTO users (username, name, is_superuser, "
	    "password_hash) VALUES ('%s', '%s', %d, '!')", name, name, super);
	return buf;
}

void
db_exec(const char *sql)
{
	MYSQL *m = dbc();

	ck_assert_msg(mysql_query(m, sql) == 0, "%s: %s", sql, mysql_error(m));
}

long long
db_insert(const char *sql)
{
	db_exec(sql);
	return (long long)mysql_insert_id(dbc());
}

void
db_unchanged(char *before, const char *tables)
{
	char *after = db_fingerprint(tables);

	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}

long long
api_create(const char *path, const char *f, ...)
{
	struct resp	*r;
	long long	 id;
	char		*body;
	va_list		 ap;

	va_start(ap, f);
	ck_assert_int_ge(vasprintf(&body, f, ap), 0);
	va_end(ap);
	r = api("POST", path, admin_token(), body);
	ck_assert_msg(r->status == 201, "POST %s %s: %ld %s", path, body,
	    r->status, r->body);
	id = jint(r->json, "id");
	resp_free(r);
	free(body);
	return id;
}

void
expect_all_refused(const struct call *c, size_t n, long long id,
    const char *token, long http, int code, const char *tables)
{
	char	*before = db_fingerprint(tables), path[2048];
	size_t	 i;

	for (i = 0; i < n; i++) {
		/* not path_of: its buffers may hold the table's own paths */
		snprintf(path, sizeof(path), c[i].path, id);
		expect_error(api(c[i].method, path, token, c[i].body), http,
		    code, NULL);
	}
	db_unchanged(before, tables);
}

/*
 * method path body, as the admin, must fail with http and code (naming
 * field, which may be a key such as "[0].id") and leave tables unchanged.
 */
void
refused_in_at(const char *file, int line, const char *tables,
    const char *method, const char *path, const char *body, long http,
    int code, const char *field)
{
	char		*before = db_fingerprint(tables), *after;
	struct resp	*r = api(method, path, admin_token(), body);

	/* "[0].id" is one key of errors, which jpath would split */
	if (field != NULL && strchr(field, '[') != NULL) {
		ck_assert_msg(r->json != NULL && json_object_object_get_ex(
		    jpath(r->json, "errors"), field, NULL), "%s:%d: errors does "
		    "not name %s: %s", file, line, field, r->body);
		field = NULL;
	}
	expect_error_at(file, line, r, http, code, field);
	after = db_fingerprint(tables);
	ck_assert_msg(strcmp(before, after) == 0, "%s:%d: %s %s %s changed the "
	    "database", file, line, method, path, body ? body : "");
	free(before);
	free(after);
}

/* The test stack's server key (HANGAR_DIR/secret.key). */
static void
stack_key(unsigned char key[crypto_secretbox_KEYBYTES])
{
	char	 path[1024];
	FILE	*f;

	ck_assert_int_ge(sodium_init(), 0);
	snprintf(path, sizeof(path), "%s/secret.key", getenv("HANGAR_DIR"));
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_uint_eq(fread(key, 1, crypto_secretbox_KEYBYTES, f),
	    crypto_secretbox_KEYBYTES);
	fclose(f);
}

char *
stack_seal(const char *plain)
{
	unsigned char	 key[crypto_secretbox_KEYBYTES], *box;
	size_t		 plen = strlen(plain), blen, olen;
	char		*out;

	stack_key(key);
	blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plen;
	ck_assert_ptr_nonnull(box = malloc(blen));
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES,
	    (const unsigned char *)plain, plen, box, key);
	olen = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
	ck_assert_ptr_nonnull(out = malloc(olen));
	sodium_bin2base64(out, olen, box, blen, sodium_base64_VARIANT_ORIGINAL);
	free(box);
	return out;
}

char *
stack_unseal(const char *sealed)
{
	unsigned char	 key[crypto_secretbox_KEYBYTES], *box;
	size_t		 blen, plen, cap = strlen(sealed);
	char		*plain;

	stack_key(key);
	ck_assert_ptr_nonnull(box = malloc(cap + 1));
	ck_assert_int_eq(sodium_base642bin(box, cap + 1, sealed, cap, NULL,
	    &blen, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
	ck_assert_uint_ge(blen, crypto_secretbox_NONCEBYTES +
	    crypto_secretbox_MACBYTES);
	plen = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	ck_assert_ptr_nonnull(plain = calloc(1, plen + 1));
	ck_assert_int_eq(crypto_secretbox_open_easy((unsigned char *)plain,
	    box + crypto_secretbox_NONCEBYTES, blen - crypto_secretbox_NONCEBYTES,
	    box, key), 0);
	free(box);
	return plain;
}

pid_t
hangard_master(void)
{
	char	 path[1024];
	FILE	*f;
	long	 pid = 0;

	snprintf(path, sizeof(path), "%s/hangard.pid", getenv("HANGAR_DIR"));
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "no %s", path);
	ck_assert_int_eq(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	return (pid_t)pid;
}

int
hangard_workers(pid_t master, pid_t *kids)
{
	DIR		*d = opendir("/proc");
	struct dirent	*e;
	char		 path[300], buf[1024], state, *p;
	long		 ppid;
	int		 n = 0;
	FILE		*f;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL && n < HG_MAXKIDS) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		/* "pid (comm) state ppid ...": comm may hold anything. */
		if (p == NULL || (p = strrchr(buf, ')')) == NULL ||
		    sscanf(p + 1, " %c %ld", &state, &ppid) != 2)
			continue;
		if (ppid == (long)master && state != 'Z')
			kids[n++] = (pid_t)atol(e->d_name);
	}
	closedir(d);
	return n;
}

char *
path_of(const char *f, long long id)
{
	return fmt(f, id);
}

const char *
sqlq(const char *s)
{
	static char	buf[8][1024];
	static int	n;
	char		*b = buf[n++ % 8], *p = b;

	for (; *s != '\0' && p < b + sizeof(buf[0]) - 3; s++) {
		if (*s == '\'' || *s == '\\')
			*p++ = *s;
		*p++ = *s;
	}
	*p = '\0';
	return b;
}

char *
fmt(const char *f, ...)
{
	static char	buf[16][2048];
	static int	n;
	char		*b = buf[n++ % 16];
	va_list		ap;

	va_start(ap, f);
	vsnprintf(b, sizeof(buf[0]), f, ap);
	va_end(ap);
	return b;
}

char *
db_fingerprint(const char *tables)
{
	MYSQL		*m = dbc();
	MYSQL_RES	*res;
	MYSQL_ROW	 row;
	char		 sql[2048], *out = NULL;
	size_t		 len = 0;

	snprintf(sql, sizeof(sql), "CHECKSUM TABLE %s EXTENDED", tables);
	ck_assert_msg(mysql_query(m, sql) == 0, "%s: %s", sql, mysql_error(m));
	res = mysql_store_result(m);
	while ((row = mysql_fetch_row(res)) != NULL) {
		char	part[512];
		int	n = snprintf(part, sizeof(part), "%s=%s;", row[0],
			    row[1] ? row[1] : "NULL");

		out = realloc(out, len + (size_t)n + 1);
		memcpy(out + len, part, (size_t)n + 1);
		len += (size_t)n;
	}
	mysql_free_result(res);
	return out ? out : strdup("");
}

/* ---- JSON ------------------------------------------------------------ */

json_object *
jpath(json_object *j, const char *path)
{
	char	buf[512], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && j;
	    tok = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(j, json_type_array))
			j = json_object_array_get_idx(j, (size_t)atoi(tok));
		else if (!json_object_object_get_ex(j, tok, &j))
			return NULL;
	}
	return j;
}

const char *
jstr(json_object *j, const char *path)
{
	json_object *v = jpath(j, path);

	return v && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

long long
jint(json_object *j, const char *path)
{
	json_object *v = jpath(j, path);

	ck_assert_msg(v != NULL && json_object_is_type(v, json_type_int),
	    "%s is not an integer", path);
	return json_object_get_int64(v);
}

/* ---- assertions ------------------------------------------------------- */

void
expect_status_at(const char *file, int line, struct resp *r, long http)
{
	ck_assert_msg(r->status == http, "%s:%d: want HTTP %ld, got %ld: %s",
	    file, line, http, r->status, r->body);
	ck_assert_msg(resp_header(r, "X-Request-Id") != NULL,
	    "%s:%d: no X-Request-Id", file, line);
	resp_free(r);
}

void
expect_error_at(const char *file, int line, struct resp *r, long http, int code,
    const char *field)
{
	const char *ct;

	ck_assert_msg(r->status == http, "%s:%d: want HTTP %ld, got %ld: %s",
	    file, line, http, r->status, r->body);
	ck_assert_msg(r->json != NULL, "%s:%d: error body is not JSON: %s",
	    file, line, r->body);
	ck_assert_msg(jpath(r->json, "error_code") != NULL &&
	    jint(r->json, "error_code") == code,
	    "%s:%d: want error_code %d: %s", file, line, code, r->body);
	ck_assert_msg(jstr(r->json, "message") != NULL &&
	    *jstr(r->json, "message") != '\0',
	    "%s:%d: no message: %s", file, line, r->body);
	ct = resp_header(r, "Content-Type");
	ck_assert_msg(ct != NULL && strncmp(ct, "application/json", 16) == 0,
	    "%s:%d: content type %s", file, line, ct ? ct : "(none)");
	if (r->status != 413 && r->status != 503)
		ck_assert_msg(resp_header(r, "X-Request-Id") != NULL,
		    "%s:%d: no X-Request-Id", file, line);
	if (field != NULL)
		ck_assert_msg(jpath(jpath(r->json, "errors"), field) != NULL,
		    "%s:%d: errors does not name %s: %s", file, line, field,
		    r->body);
	resp_free(r);
}

/* ---- the bad-input battery --------------------------------------------- */

static const char *
wrong_value(const char *type)
{
	if (strcmp(type, "string") == 0)
		return "12345";
	if (strcmp(type, "int") == 0)
		return "\"12\"";
	if (strcmp(type, "bool") == 0)
		return "\"yes\"";
	if (strcmp(type, "array") == 0)
		return "{\"a\": 1}";
	return "[1, 2]";
}

static void
refused(const char *method, const char *path, const char *token,
    json_object *body, long http, int code, const char *field,
    const char *tables, const char *before)
{
	const char	*text = json_object_to_json_string_ext(body,
			    JSON_C_TO_STRING_PLAIN);
	char		*after;

	expect_error(api(method, path, token, text), http, code, field);
	after = db_fingerprint(tables);
	ck_assert_msg(strcmp(before, after) == 0,
	    "%s %s with %s changed the database", method, path, text);
	free(after);
}

void
bad_input_battery(const char *method, const char *path, const char *token,
    const char *valid_json, const struct field_spec *f, size_t n,
    const char *tables)
{
	char		*before = db_fingerprint(tables), *after, *big;
	json_object	*valid = json_tokener_parse(valid_json), *b;
	size_t		 i;
	const size_t	 bigsize = 2 * 1024 * 1024;

	ck_assert_msg(valid != NULL, "battery: valid body is not JSON");
	expect_error(api(method, path, token, "{\"a\": "), 400, 10001, NULL);
	expect_error(api(method, path, token, "{\"a\": 1} trailing"), 400, 10001,
	    NULL);
	expect_error(api_raw(method, path, token, "text/plain", valid_json,
	    strlen(valid_json), NULL), 415, 10003, NULL);
	big = malloc(bigsize + 1);
	memset(big, ' ', bigsize);
	big[0] = '{';
	big[bigsize - 1] = '}';
	big[bigsize] = '\0';
	expect_error(api_raw(method, path, token, "application/json", big,
	    bigsize, NULL), 413, 10004, NULL);
	free(big);
	expect_error(api(method, path, token, "\"a string\""), 400, 10002, NULL);
	for (i = 0; i < n; i++) {
		json_object *v;

		if (f[i].required) {
			b = json_tokener_parse(valid_json);
			json_object_object_del(b, f[i].name);
			refused(method, path, token, b, 400, 10002, f[i].name,
			    tables, before);
			json_object_put(b);
		}
		b = json_tokener_parse(valid_json);
		v = json_tokener_parse(wrong_value(f[i].type));
		json_object_object_add(b, f[i].name, v);
		refused(method, path, token, b, 400, 10002, f[i].name, tables,
		    before);
		json_object_put(b);
		if (f[i].maxlen > 0) {
			char *s = malloc((size_t)f[i].maxlen + 2);

			memset(s, 'x', (size_t)f[i].maxlen + 1);
			s[f[i].maxlen + 1] = '\0';
			b = json_tokener_parse(valid_json);
			json_object_object_add(b, f[i].name,
			    json_object_new_string(s));
			refused(method, path, token, b, 400, 10002, f[i].name,
			    tables, before);
			json_object_put(b);
			free(s);
		}
		if (f[i].enum_bad != NULL) {
			b = json_tokener_parse(valid_json);
			json_object_object_add(b, f[i].name,
			    json_object_new_string(f[i].enum_bad));
			refused(method, path, token, b, 400, 10002, f[i].name,
			    tables, before);
			json_object_put(b);
		}
	}
	after = db_fingerprint(tables);
	ck_assert_msg(strcmp(before, after) == 0, "%s %s: refusals changed the "
	    "database", method, path);
	free(before);
	free(after);
	json_object_put(valid);
}

int
run_suite(const char *name, TCase *(*const *cases)(void), size_t n)
{
	Suite	*s = suite_create(name);
	SRunner	*sr;
	size_t	 i;
	int	 failed;

	for (i = 0; i < n; i++) {
		TCase *tc = cases[i]();

		tcase_set_timeout(tc, 120);
		suite_add_tcase(s, tc);
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed;
}

/*
 * The text of the newest mail t/smtp-sink stored for addr (free it), or
 * NULL; *count (may be NULL) gets how many it stored for addr.  A mail is
 * addr's when one of its header lines is exactly "To: addr".
 */
char *
sink_mail(const char *addr, int *count)
{
	const char	*dir = getenv("HANGAR_SMTP_DIR");
	DIR		*d = opendir(dir);
	struct dirent	*e;
	char		 path[4096], want[512], *best = NULL, *text, *hit;
	int		 n, bestn = -1, found = 0;
	FILE		*f;
	long		 len;

	ck_assert_ptr_nonnull(d);
	snprintf(want, sizeof(want), "To: %s\r\n", addr);
	while ((e = readdir(d)) != NULL) {
		if (sscanf(e->d_name, "mail-%d.eml", &n) != 1)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		text = calloc(1, (size_t)len + 1);
		if (fread(text, 1, (size_t)len, f) != (size_t)len)
			text[0] = '\0';
		fclose(f);
		hit = strstr(text, want);
		if (hit != NULL && (hit == text || hit[-1] == '\n')) {
			found++;
			if (n > bestn) {
				free(best);
				best = text;
				bestn = n;
				continue;
			}
		}
		free(text);
	}
	closedir(d);
	if (count != NULL)
		*count = found;
	return best;
}

/* client.h */
char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*buf = NULL;
	size_t	 len = 0, cap = 0, n;

	if (f == NULL)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			cap = (cap + 4096) * 2;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();	/* no ck_assert: mains use this */
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* ---- vendors' stand-ins ---------------------------------------------- */

void
standin_start(struct standin *sd, const char *script, const char *key)
{
	const char	*stack = getenv("HANGAR_STACK");
	char		 path[600], portfile[600];
	FILE		*f;
	int		 i;

	ck_assert_ptr_nonnull(stack);
	memset(sd, 0, sizeof(*sd));
	snprintf(sd->dir, sizeof(sd->dir), "/tmp/hangar-standin-XXXXXX");
	snprintf(path, sizeof(path), "%.*s%s",
	    (int)(strlen(stack) - strlen("stack.sh")), stack, script);
	ck_assert_ptr_nonnull(mkdtemp(sd->dir));
	snprintf(portfile, sizeof(portfile), "%s/port", sd->dir);
	ck_assert_int_ne(sd->pid = fork(), -1);
	if (sd->pid == 0) {
		/* Never outlive the test, however it ends. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl("/usr/bin/python3", "python3", path, "--port", "0",
		    "--port-file", portfile, "--key", key, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && sd->port == 0; i++) {
		if ((f = fopen(portfile, "r")) != NULL) {
			if (fscanf(f, "%d", &sd->port) != 1)
				sd->port = 0;
			fclose(f);
		}
		if (sd->port == 0)
			usleep(100000);
	}
	ck_assert_msg(sd->port > 0, "%s did not start", script);
}

void
standin_stop(struct standin *sd)
{
	char path[600];

	if (sd->pid > 0) {
		kill(sd->pid, SIGTERM);
		waitpid(sd->pid, NULL, 0);
		sd->pid = 0;
	}
	if (sd->dir[0] != '\0') {
		snprintf(path, sizeof(path), "%s/port", sd->dir);
		unlink(path);
		rmdir(sd->dir);
	}
}

void
standin_post(const struct standin *sd, const char *path, const char *json)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "curl -sf -o /dev/null -X POST -H "
	    "'Content-Type: application/json' -d '%s' "
	    "http://127.0.0.1:%d%s", json, sd->port, path);
	ck_assert_msg(system(cmd) == 0, "%s", cmd);
}
