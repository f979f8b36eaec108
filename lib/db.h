/*
 * db.h -- MariaDB access: prepared statements only, one way to write SQL.
 *
 *	struct hg_rows *rs;
 *	rc = hg_db_query(db, arena, &rs,
 *	    "SELECT id, username FROM users WHERE id = ?", "i", id);
 *	for (i = 0; i < rs->nrows; i++)
 *		puts(HG_CELL(rs, i, 1));
 *
 * Parameters are described by a format string, one letter each:
 *	i  long long
 *	s  const char * (NULL binds SQL NULL)
 * Every cell comes back as a NUL-terminated string in the arena (NULL for SQL
 * NULL).  Statements are prepared once per connection and cached by their
 * text, so SQL must be constant: request data only ever travels as a bound
 * parameter.
 *
 * Functions return 0 or an error code from err.h: HG_E_CONFLICT for a
 * duplicate key or a foreign key still in use, HG_E_UNAVAIL when the server
 * cannot be reached (the connection is re-established on the next call),
 * HG_E_INTERNAL for anything else (logged, never shown to clients).
 */
#ifndef HG_DB_H
#define HG_DB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

struct hg_db;

struct hg_rows {
	int		  nrows;
	int		  ncols;
	char		**cells;	/* nrows * ncols */
	unsigned long	 *lens;
};

#define HG_CELL(rs, row, col)	((rs)->cells[(row) * (rs)->ncols + (col)])

#define HG_DB_MAXPARAMS	64

/* One bound parameter, for callers that assemble parameter lists. */
struct hg_param {
	char		 p_type;	/* 'i' or 's' */
	long long	 p_int;
	const char	*p_str;
};

struct hg_db	*hg_db_new(void);
void		 hg_db_close(struct hg_db *);
int		 hg_db_query(struct hg_db *, struct hg_arena *, struct hg_rows **,
		    const char *sql, const char *fmt, ...);
int		 hg_db_exec(struct hg_db *, const char *sql, const char *fmt, ...);
/* The same with an explicit parameter list (out NULL: no result set). */
int		 hg_db_run(struct hg_db *, struct hg_arena *, struct hg_rows **,
		    const char *sql, const struct hg_param *, int n);
/*
 * One statement of ncols integer placeholders ("INSERT INTO t (a, b)
 * VALUES (?, ?)") run for nrows rows in one round trip (MariaDB's bulk
 * execution: the values travel as an array, the statement is neither
 * parsed nor planned again per row); vals holds nrows * ncols values,
 * row after row.  hg_db_affected() is then the total.
 */
int		 hg_db_bulk(struct hg_db *, const char *sql, int ncols,
		    const long long *vals, size_t nrows);
/*
 * SQL whose placeholders carry their type, the form hangard's handlers
 * write: "... WHERE id = ?i AND name LIKE ?s".  Turn it into plain SQL
 * (in the arena) and the format string of its parameters (fmt, at least
 * HG_DB_MAXPARAMS + 1 bytes).  -1 (logged) for a '?' without a type
 * letter or too many parameters; quoted text is left alone.
 */
int		 hg_db_typed(struct hg_arena *, const char *tsql,
		    const char **sql, char *fmt);
/*
 * Check values (sqlargs.h) against the format hg_db_typed gave: as many
 * as there are placeholders, an integer for ?i, a string for ?s (NULL for
 * either); fill p.  -1 (logged with the statement) on a mismatch: a bug in
 * the caller, refused instead of bound blindly.
 */
struct hg_arg;
int		 hg_db_args(const char *tsql, const char *fmt,
		    const struct hg_arg *, int n, struct hg_param *p);
/* Parse fmt/varargs into params; returns the count or -1. */
int		 hg_db_params(struct hg_param *, int max, const char *fmt, va_list);
uint64_t	 hg_db_affected(const struct hg_db *);
uint64_t	 hg_db_insert_id(const struct hg_db *);
int		 hg_db_begin(struct hg_db *);
int		 hg_db_commit(struct hg_db *);
void		 hg_db_rollback(struct hg_db *);
int		 hg_db_in_txn(const struct hg_db *);
/* Run a script of ';'-separated statements (migrations only: trusted text). */
int		 hg_db_script(struct hg_db *, const char *sql, char *err, size_t errlen);
int		 hg_db_ping(struct hg_db *);
const char	*hg_db_last_error(const struct hg_db *);	/* for logs */

/* Parse a cell as an integer (0 for NULL). */
long long	 hg_atoll(const char *);

#endif
