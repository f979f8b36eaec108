/*
 * db.c -- MariaDB prepared statements with a per-connection cache (see db.h).
 *
 * Recovery: when the server goes away we drop the connection and every cached
 * statement.  The next call reconnects.  A statement that fails because the
 * connection was lost is retried once on a fresh connection when nothing of
 * the current transaction has run yet: this is what makes the first request
 * after a MariaDB restart succeed instead of failing on a stale socket.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "conf.h"
#include "db.h"
#include "sqlargs.h"
#include "err.h"
#include "log.h"

#define CACHE_SIZE	512	/* power of two */

struct cached {
	char		*c_sql;
	MYSQL_STMT	*c_stmt;
};

struct hg_db {
	MYSQL		*d_conn;
	int		 d_txn;		/* inside BEGIN .. COMMIT */
	int		 d_txn_began;	/* BEGIN actually sent */
	int		 d_txn_broken;	/* lost or busy after BEGIN */
	uint64_t	 d_affected;
	uint64_t	 d_insert_id;
	unsigned	 d_ncached;
	struct cached	 d_cache[CACHE_SIZE];
	char		 d_error[256];
};

struct hg_db *
hg_db_new(void)
{
	struct hg_db *db = calloc(1, sizeof(*db));

	if (db == NULL)
		hg_fatal("out of memory");
	return db;
}

static void
drop_cache(struct hg_db *db)
{
	unsigned i;

	for (i = 0; i < CACHE_SIZE; i++) {
		if (db->d_cache[i].c_stmt != NULL)
			mysql_stmt_close(db->d_cache[i].c_stmt);
		free(db->d_cache[i].c_sql);
		db->d_cache[i].c_stmt = NULL;
		db->d_cache[i].c_sql = NULL;
	}
	db->d_ncached = 0;
}

static void
disconnect(struct hg_db *db)
{
	drop_cache(db);
	if (db->d_conn != NULL)
		mysql_close(db->d_conn);
	db->d_conn = NULL;
	/* Whatever ran of this transaction is gone: refuse the rest of it. */
	if (db->d_txn_began)
		db->d_txn_broken = 1;
	db->d_txn_began = 0;
}

void
hg_db_close(struct hg_db *db)
{
	if (db == NULL)
		return;
	disconnect(db);
	free(db);
}

const char *
hg_db_last_error(const struct hg_db *db)
{
	return db->d_error;
}

static int
lost(unsigned int e)
{
	return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST ||
	    e == CR_CONNECTION_ERROR || e == CR_CONN_HOST_ERROR ||
	    e == CR_SERVER_LOST_EXTENDED || e == ER_CONNECTION_KILLED ||
	    e == ER_SERVER_SHUTDOWN || e == CR_COMMANDS_OUT_OF_SYNC;
}

/* Map a server/client errno to our code, logging what clients never see. */
static int
fail(struct hg_db *db, unsigned int e, const char *what, const char *msg)
{
	snprintf(db->d_error, sizeof(db->d_error), "%s: %u %s", what, e, msg);
	if (e == ER_DUP_ENTRY || e == ER_ROW_IS_REFERENCED_2 ||
	    e == ER_ROW_IS_REFERENCED || e == ER_NO_REFERENCED_ROW_2)
		return HG_E_CONFLICT;
	/*
	 * Another transaction holds what this one needs: a deadlock (the
	 * server rolled this transaction back) or a lock wait that timed
	 * out (innodb_lock_wait_timeout; only the statement undone).  Busy,
	 * not broken: the connection stays, the transaction may not go on
	 * (commit rolls it back), and the client hears 503, retry.
	 */
	if (e == ER_LOCK_DEADLOCK || e == ER_LOCK_WAIT_TIMEOUT) {
		log_warn("database busy: %s", db->d_error);
		if (db->d_txn_began)
			db->d_txn_broken = 1;
		return HG_E_UNAVAIL;
	}
	if (lost(e) || db->d_conn == NULL) {
		log_warn("database unavailable: %s", db->d_error);
		disconnect(db);
		return HG_E_UNAVAIL;
	}
	log_err("database error: %s", db->d_error);
	return HG_E_INTERNAL;
}

static int
connect_db(struct hg_db *db)
{
	unsigned int	timeout = (unsigned int)hg_conf.db_timeout;
	my_bool		off = 0;
	const char	*sock = hg_conf.db_socket;
	MYSQL		*m;

	if (db->d_conn != NULL)
		return 0;
	if ((m = mysql_init(NULL)) == NULL)
		hg_fatal("mysql_init: out of memory");
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	/* Never reconnect behind our back: it would silently end a transaction. */
	mysql_options(m, MYSQL_OPT_RECONNECT, &off);
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(m, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
	if (mysql_real_connect(m, sock && *sock ? NULL : hg_conf.db_host,
	    hg_conf.db_user, hg_conf.db_password, hg_conf.db_name,
	    (unsigned int)hg_conf.db_port, sock && *sock ? sock : NULL,
	    0) == NULL) {
		snprintf(db->d_error, sizeof(db->d_error), "connect: %u %s",
		    mysql_errno(m), mysql_error(m));
		log_warn("database unavailable: %s", db->d_error);
		mysql_close(m);
		return HG_E_UNAVAIL;
	}
	db->d_conn = m;
	return 0;
}

static unsigned long
hash(const char *s)
{
	unsigned long h = 14695981039346656037UL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211UL;
	return h;
}

/* Find or prepare the statement for sql; NULL with *rc set on failure. */
static MYSQL_STMT *
prepare(struct hg_db *db, const char *sql, int *rc)
{
	unsigned long	 h = hash(sql);
	unsigned	 i, slot;
	MYSQL_STMT	*st;

	for (i = 0; i < CACHE_SIZE; i++) {
		slot = (unsigned)(h + i) & (CACHE_SIZE - 1);
		if (db->d_cache[slot].c_sql == NULL)
			break;
		if (strcmp(db->d_cache[slot].c_sql, sql) == 0)
			return db->d_cache[slot].c_stmt;
	}
	if (db->d_ncached >= CACHE_SIZE / 2) {
		/* Constant SQL never gets here; be safe against runaway text. */
		drop_cache(db);
		slot = (unsigned)h & (CACHE_SIZE - 1);
	}
	if ((st = mysql_stmt_init(db->d_conn)) == NULL) {
		*rc = fail(db, mysql_errno(db->d_conn), "stmt_init",
		    mysql_error(db->d_conn));
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		*rc = fail(db, mysql_stmt_errno(st), "prepare",
		    mysql_stmt_error(st));
		if (db->d_conn != NULL)
			log_err("statement was: %s", sql);
		mysql_stmt_close(st);
		return NULL;
	}
	if ((db->d_cache[slot].c_sql = strdup(sql)) == NULL)
		hg_fatal("out of memory");
	db->d_cache[slot].c_stmt = st;
	db->d_ncached++;
	return st;
}

struct params {
	MYSQL_BIND	b[HG_DB_MAXPARAMS];
	unsigned long	lens[HG_DB_MAXPARAMS];
	my_bool		nulls[HG_DB_MAXPARAMS];
	long long	ints[HG_DB_MAXPARAMS];
	int		n;
};

int
hg_db_typed(struct hg_arena *a, const char *tsql, const char **sql, char *fmt)
{
	char		*out = hg_alloc(a, strlen(tsql) + 1), *o = out;
	const char	*s;
	char		 quote = 0;
	int		 n = 0;

	for (s = tsql; *s != '\0'; s++) {
		if (quote) {
			if (*s == '\\' && s[1] != '\0')
				*o++ = *s++;
			else if (*s == quote)
				quote = 0;
		} else if (*s == '\'' || *s == '"' || *s == '`')
			quote = *s;
		else if (*s == '?') {
			if ((s[1] != 'i' && s[1] != 's') ||
			    n == HG_DB_MAXPARAMS) {
				log_err("placeholder %d has no type (?i or ?s) "
				    "or is one too many: %s", n + 1, tsql);
				return -1;
			}
			fmt[n++] = *++s;
			*o++ = '?';
			continue;
		}
		*o++ = *s;
	}
	*o = '\0';
	fmt[n] = '\0';
	*sql = out;
	return n;
}

int
hg_db_args(const char *tsql, const char *fmt, const struct hg_arg *args, int n,
    struct hg_param *p)
{
	int i;

	if ((int)strlen(fmt) != n) {
		log_err("statement has %zu placeholders, %d values: %s",
		    strlen(fmt), n, tsql);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (args[i].a_type != 'n' && args[i].a_type != fmt[i]) {
			log_err("value %d is %s where the statement says ?%c: %s",
			    i + 1, args[i].a_type == 'i' ? "an integer" :
			    "a string", fmt[i], tsql);
			return -1;
		}
		p[i].p_type = args[i].a_type == 'n' ? 's' : fmt[i];
		p[i].p_int = args[i].a_int;
		p[i].p_str = args[i].a_str;
	}
	return 0;
}

int
hg_db_params(struct hg_param *out, int max, const char *fmt, va_list ap)
{
	int n = 0;

	for (; fmt != NULL && *fmt != '\0'; fmt++, n++) {
		if (n == max)
			return -1;
		out[n].p_type = *fmt;
		if (*fmt == 'i')
			out[n].p_int = va_arg(ap, long long);
		else if (*fmt == 's')
			out[n].p_str = va_arg(ap, const char *);
		else
			return -1;
	}
	return n;
}

static void
bind_params(struct params *p, const struct hg_param *in, int n)
{
	int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < n; i++) {
		MYSQL_BIND *b = &p->b[i];

		if (in[i].p_type == 'i') {
			p->ints[i] = in[i].p_int;
			b->buffer_type = MYSQL_TYPE_LONGLONG;
			b->buffer = &p->ints[i];
		} else if (in[i].p_str == NULL) {
			b->buffer_type = MYSQL_TYPE_NULL;
			p->nulls[i] = 1;
			b->is_null = &p->nulls[i];
		} else {
			b->buffer_type = MYSQL_TYPE_STRING;
			b->buffer = (void *)in[i].p_str;
			p->lens[i] = strlen(in[i].p_str);
			b->buffer_length = p->lens[i];
			b->length = &p->lens[i];
		}
	}
	p->n = n;
}

static int
begin_if_needed(struct hg_db *db)
{
	if (!db->d_txn || db->d_txn_began)
		return 0;
	if (mysql_query(db->d_conn, "START TRANSACTION") != 0)
		return fail(db, mysql_errno(db->d_conn), "begin",
		    mysql_error(db->d_conn));
	db->d_txn_began = 1;
	return 0;
}

/* Fetch every row of an executed statement into the arena. */
static int
fetch_all(struct hg_db *db, MYSQL_STMT *st, struct hg_arena *a,
    struct hg_rows **out)
{
	MYSQL_RES	*meta;
	MYSQL_FIELD	*f;
	MYSQL_BIND	*b;
	unsigned long	*lens;
	my_bool		*nulls;
	struct hg_rows	*rs;
	int		 ncols, r, c, rc = 0, frc;

	if ((meta = mysql_stmt_result_metadata(st)) == NULL) {
		*out = hg_alloc(a, sizeof(**out));
		return 0;
	}
	ncols = (int)mysql_num_fields(meta);
	if (mysql_stmt_store_result(st) != 0) {
		mysql_free_result(meta);
		return fail(db, mysql_stmt_errno(st), "store_result",
		    mysql_stmt_error(st));
	}
	f = mysql_fetch_fields(meta);
	rs = hg_alloc(a, sizeof(*rs));
	rs->ncols = ncols;
	rs->nrows = (int)mysql_stmt_num_rows(st);
	rs->cells = hg_alloc(a, sizeof(char *) * (size_t)(rs->nrows * ncols + 1));
	rs->lens = hg_alloc(a, sizeof(unsigned long) * (size_t)(rs->nrows * ncols + 1));
	b = hg_alloc(a, sizeof(*b) * (size_t)ncols);
	lens = hg_alloc(a, sizeof(*lens) * (size_t)ncols);
	nulls = hg_alloc(a, sizeof(*nulls) * (size_t)ncols);
	for (c = 0; c < ncols; c++) {
		/* max_length is known after store_result (UPDATE_MAX_LENGTH). */
		unsigned long cap = f[c].max_length + 1;

		if (cap < 32)
			cap = 32;
		b[c].buffer_type = MYSQL_TYPE_STRING;
		b[c].buffer = hg_alloc(a, cap);
		b[c].buffer_length = cap;
		b[c].length = &lens[c];
		b[c].is_null = &nulls[c];
	}
	mysql_free_result(meta);
	if (mysql_stmt_bind_result(st, b) != 0) {
		rc = fail(db, mysql_stmt_errno(st), "bind_result",
		    mysql_stmt_error(st));
		mysql_stmt_free_result(st);
		return rc;
	}
	for (r = 0; r < rs->nrows; r++) {
		frc = mysql_stmt_fetch(st);
		if (frc == 1 || frc == MYSQL_NO_DATA) {
			rs->nrows = r;
			if (frc == 1)
				rc = fail(db, mysql_stmt_errno(st), "fetch",
				    mysql_stmt_error(st));
			break;
		}
		for (c = 0; c < ncols; c++) {
			int i = r * ncols + c;

			if (nulls[c])
				continue;
			if (frc == MYSQL_DATA_TRUNCATED &&
			    lens[c] >= b[c].buffer_length) {
				/* Should not happen with max_length; fetch it whole. */
				MYSQL_BIND one;

				memset(&one, 0, sizeof(one));
				one.buffer_type = MYSQL_TYPE_STRING;
				one.buffer = hg_alloc(a, lens[c] + 1);
				one.buffer_length = lens[c] + 1;
				mysql_stmt_fetch_column(st, &one, (unsigned)c, 0);
				rs->cells[i] = one.buffer;
			} else
				rs->cells[i] = hg_strndup(a, b[c].buffer, lens[c]);
			rs->lens[i] = lens[c];
		}
	}
	mysql_stmt_free_result(st);
	*out = rs;
	return rc;
}

/* Prepare, bind and execute; retry once on a fresh connection when safe. */
int
hg_db_run(struct hg_db *db, struct hg_arena *a, struct hg_rows **out,
    const char *sql, const struct hg_param *in, int nin)
{
	struct params	 p;
	MYSQL_STMT	*st;
	int		 attempt, rc = 0, retryable;

	if (db->d_txn_broken)
		return HG_E_UNAVAIL;
	for (attempt = 0; attempt < 2; attempt++) {
		retryable = !db->d_txn_began;
		if ((rc = connect_db(db)) != 0)
			return rc;
		if ((rc = begin_if_needed(db)) != 0) {
			if (rc == HG_E_UNAVAIL && retryable)
				continue;
			return rc;
		}
		if ((st = prepare(db, sql, &rc)) == NULL) {
			if (rc == HG_E_UNAVAIL && retryable)
				continue;
			return rc;
		}
		bind_params(&p, in, nin);
		if (mysql_stmt_param_count(st) != (unsigned long)p.n) {
			log_err("statement wants %lu parameters, got %d: %s",
			    mysql_stmt_param_count(st), p.n, sql);
			return HG_E_INTERNAL;
		}
		if (p.n > 0 && mysql_stmt_bind_param(st, p.b) != 0)
			return fail(db, mysql_stmt_errno(st), "bind_param",
			    mysql_stmt_error(st));
		if (out != NULL) {
			my_bool upd = 1;

			mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &upd);
		}
		if (mysql_stmt_execute(st) != 0) {
			rc = fail(db, mysql_stmt_errno(st), "execute",
			    mysql_stmt_error(st));
			if (rc == HG_E_UNAVAIL && retryable &&
			    !db->d_txn_broken)
				continue;
			return rc;
		}
		db->d_affected = mysql_stmt_affected_rows(st);
		db->d_insert_id = mysql_stmt_insert_id(st);
		if (out != NULL)
			return fetch_all(db, st, a, out);
		mysql_stmt_free_result(st);
		return 0;
	}
	return rc;
}

int
hg_db_bulk(struct hg_db *db, const char *sql, int ncols, const long long *vals,
    size_t nrows)
{
	MYSQL_BIND	 b[HG_DB_MAXPARAMS];
	MYSQL_STMT	*st;
	unsigned int	 size = (unsigned int)nrows;
	size_t		 rowsize = sizeof(*vals) * (size_t)ncols;
	int		 c, rc = 0;

	if (nrows == 0)
		return 0;
	if (ncols < 1 || ncols > HG_DB_MAXPARAMS || nrows > UINT32_MAX) {
		log_err("bulk of %zu rows of %d values: %s", nrows, ncols, sql);
		return HG_E_INTERNAL;
	}
	if (db->d_txn_broken)
		return HG_E_UNAVAIL;
	if ((rc = connect_db(db)) != 0 || (rc = begin_if_needed(db)) != 0)
		return rc;
	if ((st = prepare(db, sql, &rc)) == NULL)
		return rc;
	if (mysql_stmt_param_count(st) != (unsigned long)ncols) {
		log_err("statement wants %lu parameters, got %d: %s",
		    mysql_stmt_param_count(st), ncols, sql);
		return HG_E_INTERNAL;
	}
	/* row-wise: value c of row k is at vals[k * ncols + c] */
	memset(b, 0, sizeof(b));
	for (c = 0; c < ncols; c++) {
		b[c].buffer_type = MYSQL_TYPE_LONGLONG;
		b[c].buffer = (void *)&vals[c];
	}
	if (mysql_stmt_attr_set(st, STMT_ATTR_ARRAY_SIZE, &size) != 0 ||
	    mysql_stmt_attr_set(st, STMT_ATTR_ROW_SIZE, &rowsize) != 0 ||
	    mysql_stmt_bind_param(st, b) != 0 || mysql_stmt_execute(st) != 0)
		rc = fail(db, mysql_stmt_errno(st), "bulk execute",
		    mysql_stmt_error(st));
	else
		db->d_affected = mysql_stmt_affected_rows(st);
	/* the cached statement goes back to one row at a time */
	size = 0;
	rowsize = 0;
	if (db->d_conn != NULL) {
		mysql_stmt_attr_set(st, STMT_ATTR_ARRAY_SIZE, &size);
		mysql_stmt_attr_set(st, STMT_ATTR_ROW_SIZE, &rowsize);
	}
	return rc;
}

int
hg_db_query(struct hg_db *db, struct hg_arena *a, struct hg_rows **out,
    const char *sql, const char *fmt, ...)
{
	struct hg_param	p[HG_DB_MAXPARAMS];
	va_list		ap;
	int		n;

	va_start(ap, fmt);
	n = hg_db_params(p, HG_DB_MAXPARAMS, fmt, ap);
	va_end(ap);
	if (n < 0) {
		log_err("bad parameter format \"%s\" for: %s", fmt, sql);
		return HG_E_INTERNAL;
	}
	return hg_db_run(db, a, out, sql, p, n);
}

int
hg_db_exec(struct hg_db *db, const char *sql, const char *fmt, ...)
{
	struct hg_param	p[HG_DB_MAXPARAMS];
	va_list		ap;
	int		n;

	va_start(ap, fmt);
	n = hg_db_params(p, HG_DB_MAXPARAMS, fmt, ap);
	va_end(ap);
	if (n < 0) {
		log_err("bad parameter format \"%s\" for: %s", fmt, sql);
		return HG_E_INTERNAL;
	}
	return hg_db_run(db, NULL, NULL, sql, p, n);
}

uint64_t
hg_db_affected(const struct hg_db *db)
{
	return db->d_affected;
}

uint64_t
hg_db_insert_id(const struct hg_db *db)
{
	return db->d_insert_id;
}

/*
 * BEGIN is sent lazily with the first statement, so a request that fails
 * validation never touches the server and a lost connection can be retried.
 */
int
hg_db_begin(struct hg_db *db)
{
	db->d_txn = 1;
	db->d_txn_began = db->d_txn_broken = 0;
	return 0;
}

int
hg_db_in_txn(const struct hg_db *db)
{
	return db->d_txn;
}

int
hg_db_commit(struct hg_db *db)
{
	int rc = 0;

	if (db->d_txn_broken) {
		/* lost, or busy: then what is left of it must not stay open */
		if (db->d_conn != NULL)
			(void)mysql_rollback(db->d_conn);
		rc = HG_E_UNAVAIL;
	} else if (db->d_txn_began && db->d_conn != NULL &&
	    mysql_commit(db->d_conn) != 0)
		rc = fail(db, mysql_errno(db->d_conn), "commit",
		    mysql_error(db->d_conn));
	else if (db->d_txn_began && db->d_conn == NULL)
		rc = HG_E_UNAVAIL;
	db->d_txn = db->d_txn_began = db->d_txn_broken = 0;
	return rc;
}

void
hg_db_rollback(struct hg_db *db)
{
	if (db->d_txn_began && db->d_conn != NULL &&
	    mysql_rollback(db->d_conn) != 0)
		(void)fail(db, mysql_errno(db->d_conn), "rollback",
		    mysql_error(db->d_conn));
	db->d_txn = db->d_txn_began = db->d_txn_broken = 0;
}

int
hg_db_ping(struct hg_db *db)
{
	int rc;

	if ((rc = connect_db(db)) != 0)
		return rc;
	if (mysql_ping(db->d_conn) != 0) {
		disconnect(db);
		if ((rc = connect_db(db)) != 0)
			return rc;
	}
	return 0;
}

int
hg_db_script(struct hg_db *db, const char *sql, char *err, size_t errlen)
{
	MYSQL_RES	*res;
	int		 rc;

	if ((rc = connect_db(db)) != 0) {
		snprintf(err, errlen, "%s", db->d_error);
		return rc;
	}
	mysql_set_server_option(db->d_conn, MYSQL_OPTION_MULTI_STATEMENTS_ON);
	if (mysql_query(db->d_conn, sql) != 0)
		goto bad;
	do {
		if ((res = mysql_store_result(db->d_conn)) != NULL)
			mysql_free_result(res);
		else if (mysql_field_count(db->d_conn) != 0)
			goto bad;
		rc = mysql_next_result(db->d_conn);
		if (rc > 0)
			goto bad;
	} while (rc == 0);
	mysql_set_server_option(db->d_conn, MYSQL_OPTION_MULTI_STATEMENTS_OFF);
	return 0;
bad:
	snprintf(err, errlen, "%u %s", mysql_errno(db->d_conn),
	    mysql_error(db->d_conn));
	disconnect(db);
	return HG_E_INTERNAL;
}

long long
hg_atoll(const char *s)
{
	return s == NULL ? 0 : strtoll(s, NULL, 10);
}
