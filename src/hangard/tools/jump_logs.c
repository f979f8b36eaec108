/*
 * jump_logs.c -- /common-utils/jump-server-logs/: the seed's 跳板机日志
 * (the bastion command log), listed with keyword, user, host, time__gt and
 * time__lt, and API.md section 4's ingestion: a bastion POSTs an array of
 * {id, user, host, text, created_time} lines (hangarctl jump-log ship).
 *
 * Ingestion is one transaction (all lines or none), at most JL_MAXLINES
 * lines (more: 400, 10002) and max_body bytes (more: 413) a request, and
 * idempotent: a line's optional client "id" is unique, so a retried batch
 * stores only what is not there yet.  The batch's lines go to MariaDB as
 * one JSON parameter read by JSON_TABLE, as do its distinct words (their
 * ids in one query, new words added first); the postings, six or so a
 * line and most of the work, go as (word id, line id) pairs in one bulk
 * execution of a prepared INSERT (hg_sql_bulk), in the primary key's
 * order: no JSON to parse and no dictionary join per posting.
 *
 * The keyword index (sql/091_jump_log.sql): words of a line are maximal
 * runs of ASCII letters, digits and '_', lower-cased, two characters or
 * more; a word longer than HG_JW_WORDMAX is stored as windows every
 * JL_WORDSTEP characters, so that any run of at most JL_WORDSTEP
 * characters lies inside one of them (lib/jumpwords.h).  A keyword's longest
 * run (cut to JL_WORDSTEP) is a substring of a word of every line that
 * contains the keyword: the dictionary is scanned for the words that
 * contain it, their postings give the candidate lines, and each candidate
 * is checked against the whole keyword (case-insensitive, % and _
 * literal).  The words that contain a run are found as the words with a
 * suffix that begins with it (jump_log_suffixes, written once per new
 * word): a range of an index, not a scan of the dictionary, which grows
 * with every file name, hash and address the bastion sees.  A keyword without a run of two word characters searches the
 * newest JL_SCANROWS lines only (hangar-api(7)).
 *
 * The postings need the lines' ids: an INSERT ... SELECT takes consecutive
 * ids from LAST_INSERT_ID() under innodb_autoinc_lock_mode 0 or 1 (the
 * default); under 2 ingestion is refused (logged) rather than indexed
 * wrong.
 *
 * count is exact up to JL_COUNTMAX (or the end of the page asked for, when
 * that is further); past it the answer says "count_exact": false and count
 * is a lower bound.
 */
#include <stdlib.h>
#include <string.h>

#include "hangard.h"
#include "log.h"
#include "jumpwords.h"
#include "timefmt.h"

#define JL_MAXLINES	10000	/* lines a request */
#define JL_WORDSTEP	HG_JW_WORDSTEP
#define JL_COUNTMAX	10000	/* count exact up to this */
#define JL_SCANROWS	1000000	/* newest lines a keyword without a word scans */

/* The Jump server log object. */
#define JL_COLS(X) \
	X(JC_ID,	"id",		"l.id",			INT)	\
	X(JC_USER,	"user",		"l.user",		STR)	\
	X(JC_HOST,	"host",		"l.host",		STR)	\
	X(JC_TEXT,	"text",		"l.text",		STR)	\
	X(JC_CREATED,	"created_time",	"l.created_time",	TIME)
enum { JL_COLS(HG_COL_ENUM) JC__MAX };
static const struct hg_col jl_cols[] = { JL_COLS(HG_COL_DECL) };
#define JL_SELECT_ "SELECT " JL_COLS(HG_COL_SQL) "NULL "

static json_object *
jl_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return HG_ROW(r, jl_cols, rs, i);
}

/* A client id: printable ASCII without blanks. */
static const char *
check_client_id(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return "must be printable ASCII without blanks";
	return NULL;
}

static const char *
check_time(const char *s)
{
	long long t;

	if (hg_parse_time(s, 0, &t) != 0)
		return "must be RFC 3339, YYYY-MM-DD or Unix seconds";
	if (t < 0 || t > 253402300799LL)	/* 9999-12-31T23:59:59Z */
		return "must be between 1970 and 9999";
	return NULL;
}

/* One line of POST's body. */
enum { JF_ID, JF_USER, JF_HOST, JF_TEXT, JF_TIME, JF__MAX };
static const struct hg_field line_fields[JF__MAX] = {
	[JF_ID] = { "id", HG_V_STR, HG_V_NUMTEXT | HG_V_NULLABLE, 1, 128,
	    .f_check = check_client_id },
	[JF_USER] = { "user", HG_V_STR, HG_V_REQUIRED, 1, 64,
	    .f_check = hg_check_noctl },
	[JF_HOST] = { "host", HG_V_STR, HG_V_REQUIRED, 1, 255,
	    .f_check = hg_check_noctl },
	[JF_TEXT] = { "text", HG_V_STR, HG_V_REQUIRED, 0, 4096 },
	[JF_TIME] = { "created_time", HG_V_STR, HG_V_NUMTEXT | HG_V_NULLABLE,
	    1, 64, .f_check = check_time, .f_alias = { "craeted_time" } },
};

/* GET's query. */
enum { JQ_KEYWORD, JQ_USER, JQ_HOST, JQ_GT, JQ_LT, JQ__MAX };
static const struct hg_field list_q[JQ__MAX] = {
	[JQ_KEYWORD] = { "keyword", HG_V_STR, 0, 0, 256 },
	[JQ_USER] = { "user", HG_V_STR, 0, 0, 64 },
	[JQ_HOST] = { "host", HG_V_STR, 0, 0, 255 },
	[JQ_GT] = { "time__gt", HG_V_TIME, 0, 0, 0 },
	[JQ_LT] = { "time__lt", HG_V_TIME, HG_V_UPPER, 0, 0 },
};

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The JSON text of j, kept in the arena. */
static const char *
json_text(struct hg_req *r, json_object *j)
{
	const char *s = hg_strdup(r->r_arena, json_object_to_json_string_ext(j,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(j);
	return s;
}

/* innodb_autoinc_lock_mode gives an INSERT ... SELECT consecutive ids. */
static int
ids_consecutive(struct hg_req *r)
{
	static int	 known;		/* per worker: 1 yes, -1 no */
	struct hg_rows	*rs;
	int		 rc;

	if (known == 0) {
		if ((rc = hg_sql(r, &rs, "SELECT @@innodb_autoinc_lock_mode"))
		    != 0)
			return rc;
		known = rs->nrows > 0 && atoi(HG_CELL(rs, 0, 0)) != 2 ? 1 : -1;
	}
	if (known < 0) {
		log_err("jump-server-logs: innodb_autoinc_lock_mode = 2 gives "
		    "no consecutive ids; ingestion needs 0 or 1");
		return hg_fail(r, HG_E_INTERNAL, NULL);
	}
	return 0;
}

static struct hg_req *cmp_req;	/* for id_cmp: qsort has no argument */

/* Lines with ids by id, then by their place in the batch. */
static int
id_cmp(const void *a, const void *b)
{
	size_t	x = *(const size_t *)a, y = *(const size_t *)b;
	int	c = strcmp(cmp_req->r_items[x][JF_ID].s,
		    cmp_req->r_items[y][JF_ID].s);

	return c != 0 ? c : (x > y) - (x < y);
}

/*
 * The batch's client ids that are stored already, or given earlier in it
 * (the first stands): marks dup[i].  *ndup gets how many.
 */
static int
mark_duplicates(struct hg_req *r, char *dup, size_t *ndup)
{
	json_object	*ids = json_object_new_array();
	struct hg_rows	*rs;
	char		**have;
	size_t		*by, i, n = 0;
	int		 rc, k;

	*ndup = 0;
	by = hg_alloc(r->r_arena, sizeof(*by) * (r->r_nitems + 1));
	for (i = 0; i < r->r_nitems; i++)
		if (r->r_items[i][JF_ID].s != NULL) {
			json_object_array_add(ids, json_object_new_string(
			    r->r_items[i][JF_ID].s));
			by[n++] = i;
		}
	if (n == 0) {
		json_object_put(ids);
		return 0;
	}
	cmp_req = r;
	qsort(by, n, sizeof(*by), id_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(r->r_items[by[i]][JF_ID].s,
		    r->r_items[by[i - 1]][JF_ID].s) == 0)
			dup[by[i]] = 1;
	if ((rc = hg_sql(r, &rs, "SELECT l.client_id FROM JSON_TABLE(?s, "
	    "'$[*]' COLUMNS (cid VARCHAR(128) CHARACTER SET ascii COLLATE "
	    "ascii_bin PATH '$')) jt JOIN jump_logs l ON l.client_id = jt.cid",
	    json_text(r, ids))) != 0)
		return rc;
	have = hg_alloc(r->r_arena, sizeof(*have) * ((size_t)rs->nrows + 1));
	for (k = 0; k < rs->nrows; k++)
		have[k] = HG_CELL(rs, k, 0);
	qsort(have, (size_t)rs->nrows, sizeof(*have), str_cmp);
	for (i = 0; i < r->r_nitems; i++) {
		const char *id = r->r_items[i][JF_ID].s;

		if (id != NULL && !dup[i] && rs->nrows > 0 && bsearch(&id,
		    have, (size_t)rs->nrows, sizeof(*have), str_cmp) != NULL)
			dup[i] = 1;
		*ndup += dup[i];
	}
	return 0;
}

/* A word and its id in the dictionary. */
struct word_id {
	const char	*w_word;
	long long	 w_id;
};

static int
word_id_cmp(const void *a, const void *b)
{
	return strcmp(((const struct word_id *)a)->w_word,
	    ((const struct word_id *)b)->w_word);
}

/*
 * The ids of words (a JSON array of distinct words) into *out (*nout of
 * them, sorted by word), the new words put into the dictionary first with
 * their suffixes (jump_log_suffixes).  IGNORE: another batch may add the
 * same word at the same time (its suffixes are the same); asking first
 * keeps auto-increment ids from burning.  The new words' ids are read
 * with a locking read: a word the other batch committed while our INSERT
 * IGNORE waited for it is not in this transaction's snapshot (REPEATABLE
 * READ), and a plain SELECT would not see it (a 500 for a third of the
 * batches of two bastions shipping at once).
 */
static int
word_ids(struct hg_req *r, const char *words, struct word_id **out,
    size_t *nout)
{
	struct hg_rows	*rs, *fs = NULL;
	json_object	*fresh, *sfx;
	struct word_id	*ids;
	int		 i, rc, nfresh = 0;
	size_t		 k, len, n = 0;

	if ((rc = hg_sql(r, &rs, "SELECT jt.w, x.id FROM JSON_TABLE(?s, '$[*]' "
	    "COLUMNS (w VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin PATH "
	    "'$')) jt LEFT JOIN jump_log_words x ON x.word = jt.w", words)) != 0)
		return rc;
	fresh = json_object_new_array();
	sfx = json_object_new_array();
	for (i = 0; i < rs->nrows; i++) {
		const char *w = HG_CELL(rs, i, 0);

		if (HG_CELL(rs, i, 1) != NULL)
			continue;
		nfresh++;
		json_object_array_add(fresh, json_object_new_string(w));
		len = strlen(w);
		for (k = 0; k + 2 <= len; k++) {
			json_object *p = json_object_new_array_ext(2);

			json_object_array_add(p, json_object_new_string(w));
			json_object_array_add(p, json_object_new_string(w + k));
			json_object_array_add(sfx, p);
		}
	}
	if (nfresh > 0) {
		const char *ftext = json_text(r, fresh);

		if ((rc = hg_sql_exec(r, "INSERT IGNORE INTO jump_log_words "
		    "(word) SELECT jt.w FROM JSON_TABLE(?s, '$[*]' COLUMNS (w "
		    "VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin PATH '$')) "
		    "jt", ftext)) != 0 ||
		    (rc = hg_sql_exec(r, "INSERT IGNORE INTO jump_log_suffixes "
		    "(suffix, word_id) SELECT jt.s, w.id FROM JSON_TABLE(?s, "
		    "'$[*]' COLUMNS (w VARCHAR(64) CHARACTER SET ascii COLLATE "
		    "ascii_bin PATH '$[0]', s VARCHAR(64) CHARACTER SET ascii "
		    "COLLATE ascii_bin PATH '$[1]')) jt JOIN jump_log_words w ON "
		    "w.word = jt.w", json_text(r, sfx))) != 0 ||
		    (rc = hg_sql(r, &fs, "SELECT jt.w, x.id FROM JSON_TABLE(?s, "
		    "'$[*]' COLUMNS (w VARCHAR(64) CHARACTER SET ascii COLLATE "
		    "ascii_bin PATH '$')) jt JOIN jump_log_words x ON x.word = "
		    "jt.w LOCK IN SHARE MODE", ftext)) != 0)
			return rc;
	} else {
		json_object_put(fresh);
		json_object_put(sfx);
	}
	ids = hg_alloc(r->r_arena, sizeof(*ids) * ((size_t)rs->nrows + 1));
	for (i = 0; i < rs->nrows; i++)
		if (HG_CELL(rs, i, 1) != NULL) {
			ids[n].w_word = HG_CELL(rs, i, 0);
			ids[n++].w_id = hg_atoll(HG_CELL(rs, i, 1));
		}
	for (i = 0; fs != NULL && i < fs->nrows && n < (size_t)rs->nrows; i++) {
		ids[n].w_word = HG_CELL(fs, i, 0);
		ids[n++].w_id = hg_atoll(HG_CELL(fs, i, 1));
	}
	qsort(ids, n, sizeof(*ids), word_id_cmp);
	*out = ids;
	*nout = n;
	return 0;
}

/* A posting as stored: (word id, line id), the row hg_sql_bulk sends. */
struct post_row {
	long long	pr_word, pr_line;
};
_Static_assert(sizeof(struct post_row) == 2 * sizeof(long long),
    "a posting is two values, row after row");

static int
post_row_cmp(const void *a, const void *b)
{
	const struct post_row	*x = a, *y = b;

	if (x->pr_word != y->pr_word)
		return x->pr_word < y->pr_word ? -1 : 1;
	return (x->pr_line > y->pr_line) - (x->pr_line < y->pr_line);
}

/*
 * The words of the lines stored (first id first) into the index: the
 * dictionary's ids of the batch's distinct words in one query (new words
 * added first), then the postings, (word id, line id), sent at once in the
 * order of the primary key, so that each B-tree page is visited once for
 * its run of postings.
 */
static int
index_lines(struct hg_req *r, struct hg_jw_postings *pp, long long first)
{
	json_object	*words;
	struct word_id	*ids;
	struct post_row	*rows;
	size_t		 i, j, nids, nrows = 0;
	int		 rc;

	if (pp->n == 0)
		return 0;
	hg_jw_sort(pp);
	words = json_object_new_array();
	for (i = 0; i < pp->n; i++)
		if (i == 0 || !hg_jw_same(&pp->ps[i], &pp->ps[i - 1]))
			json_object_array_add(words,
			    json_object_new_string_len(pp->ps[i].p_word,
			    (int)pp->ps[i].p_len));
	if ((rc = word_ids(r, json_text(r, words), &ids, &nids)) != 0)
		return rc;
	if ((rows = malloc(sizeof(*rows) * pp->n)) == NULL)
		abort();
	/* postings and ids are both in the words' byte order: one merge */
	for (i = 0, j = 0; i < pp->n; i++) {
		const struct hg_jw_posting *p = &pp->ps[i];

		if (i > 0 && hg_jw_same(p, &pp->ps[i - 1]) &&
		    p->p_line == pp->ps[i - 1].p_line)
			continue;
		while (j < nids && strncmp(ids[j].w_word, p->p_word,
		    p->p_len) < 0)
			j++;
		if (j == nids || strncmp(ids[j].w_word, p->p_word,
		    p->p_len) != 0 || ids[j].w_word[p->p_len] != '\0') {
			log_err("jump-server-logs: a word of the batch has no "
			    "id in the dictionary");
			free(rows);
			return hg_fail(r, HG_E_INTERNAL, NULL);
		}
		rows[nrows].pr_word = ids[j].w_id;
		rows[nrows++].pr_line = first + p->p_line;
	}
	qsort(rows, nrows, sizeof(*rows), post_row_cmp);
	rc = hg_sql_bulk(r, "INSERT INTO jump_log_postings (word_id, log_id) "
	    "VALUES (?i, ?i)", &rows[0].pr_word, nrows);
	free(rows);
	return rc;
}

/*
 * The batch's user (kind 0) and host (kind 1) names into jump_log_names
 * (sql/098), each once, those already there ignored; names[0..n) are the
 * stored lines' users then their hosts, n / 2 of each.
 */
static int
add_names(struct hg_req *r, const char **names, size_t n)
{
	json_object	*a = json_object_new_array();
	size_t		 i, half = n / 2;

	qsort(names, half, sizeof(*names), str_cmp);
	qsort(names + half, half, sizeof(*names), str_cmp);
	for (i = 0; i < n; i++) {
		json_object *p;

		if (i != 0 && i != half && strcmp(names[i], names[i - 1]) == 0)
			continue;
		p = json_object_new_array_ext(2);
		json_object_array_add(p, json_object_new_int(i >= half));
		json_object_array_add(p, json_object_new_string(names[i]));
		json_object_array_add(a, p);
	}
	return hg_sql_exec(r, "INSERT IGNORE INTO jump_log_names (kind, name) "
	    "SELECT jt.k, jt.n FROM JSON_TABLE(?s, '$[*]' COLUMNS (k TINYINT "
	    "PATH '$[0]', n VARCHAR(255) CHARACTER SET utf8mb4 PATH '$[1]')) jt",
	    json_text(r, a));
}

/* POST /common-utils/jump-server-logs/ */
static int
jl_ingest(struct hg_req *r)
{
	struct hg_jw_postings	 pp = { NULL, 0, 0 };
	json_object	*rows, *out;
	char		*dup, tbuf[20];
	const char	**names;
	size_t		 i, k, ndup, n = 0;
	long long	 first = 0, t, now = (long long)time(NULL);
	int		 rc;

	dup = hg_alloc(r->r_arena, r->r_nitems + 1);
	names = hg_alloc(r->r_arena, sizeof(*names) * (2 * r->r_nitems + 1));
	if ((rc = ids_consecutive(r)) != 0 ||
	    (rc = mark_duplicates(r, dup, &ndup)) != 0)
		return rc;
	rows = json_object_new_array();
	for (i = 0; i < r->r_nitems; i++) {
		const struct hg_val	*v = r->r_items[i];
		json_object		*row;
		char			*buf;

		if (dup[i])
			continue;
		t = now;
		if (v[JF_TIME].s != NULL)
			(void)hg_parse_time(v[JF_TIME].s, 0, &t);
		hg_time_db((time_t)t, tbuf);
		row = json_object_new_array_ext(5);
		json_object_array_add(row, v[JF_ID].s != NULL ?
		    json_object_new_string(v[JF_ID].s) : NULL);
		json_object_array_add(row, json_object_new_string(v[JF_USER].s));
		json_object_array_add(row, json_object_new_string(v[JF_HOST].s));
		json_object_array_add(row, json_object_new_string(v[JF_TEXT].s));
		json_object_array_add(row, json_object_new_string(tbuf));
		json_object_array_add(rows, row);
		buf = hg_alloc(r->r_arena, strlen(v[JF_TEXT].s) + 1);
		hg_jw_words(v[JF_TEXT].s, buf, (long long)n, &pp);
		n++;
	}
	/* the users first, then the hosts: add_names takes both halves */
	for (i = 0, k = 0; i < r->r_nitems; i++)
		if (!dup[i])
			names[k++] = r->r_items[i][JF_USER].s;
	for (i = 0; i < r->r_nitems; i++)
		if (!dup[i])
			names[k++] = r->r_items[i][JF_HOST].s;
	rc = 0;
	if (n > 0) {
		if ((rc = hg_sql_exec(r, "INSERT INTO jump_logs (client_id, "
		    "user, host, text, created_time) SELECT jt.cid, jt.u, jt.h, "
		    "jt.t, jt.ct FROM JSON_TABLE(?s, '$[*]' COLUMNS (n FOR "
		    "ORDINALITY, cid VARCHAR(128) CHARACTER SET ascii COLLATE "
		    "ascii_bin PATH '$[0]', u VARCHAR(64) CHARACTER SET utf8mb4 "
		    "PATH '$[1]', h VARCHAR(255) CHARACTER SET utf8mb4 PATH "
		    "'$[2]', t VARCHAR(4096) CHARACTER SET utf8mb4 PATH '$[3]', "
		    "ct DATETIME PATH '$[4]')) jt ORDER BY jt.n",
		    json_text(r, rows))) == 0) {
			first = hg_sql_insert_id(r);
			if (hg_sql_affected(r) != (long long)n) {
				log_err("jump-server-logs: %lld of %zu lines "
				    "stored", hg_sql_affected(r), n);
				rc = hg_fail(r, HG_E_INTERNAL, NULL);
			} else if ((rc = index_lines(r, &pp, first)) == 0)
				rc = add_names(r, names, k);
		} else if (r->r_err == HG_E_CONFLICT)
			/* The same ids, stored by a parallel retry. */
			hg_fail(r, HG_E_CONFLICT, "lines with these ids are "
			    "being stored by another request; retry");
	} else
		json_object_put(rows);
	hg_jw_free(&pp);
	if (rc != 0)
		return rc;
	out = json_object_new_object();
	json_object_object_add(out, "message", json_object_new_string(
	    "success"));
	json_object_object_add(out, "received",
	    json_object_new_int64((long long)r->r_nitems));
	json_object_object_add(out, "stored", json_object_new_int64(
	    (long long)n));
	json_object_object_add(out, "duplicates", json_object_new_int64(
	    (long long)ndup));
	return hg_reply(r, 201, out);
}

/*
 * The keyword's longest run of word characters, lower-cased, cut to
 * JL_WORDSTEP, as a LIKE pattern of the suffixes that begin with it; NULL
 * when it has no run of two.
 */
static const char *
keyword_word(struct hg_req *r, const char *kw)
{
	size_t	 i, j, best = 0, blen = 0;
	char	*out;

	for (i = 0; kw[i] != '\0'; i = j) {
		if (!hg_jw_wordc((unsigned char)kw[i])) {
			j = i + 1;
			continue;
		}
		for (j = i; hg_jw_wordc((unsigned char)kw[j]); j++)
			;
		if (j - i > blen) {
			best = i;
			blen = j - i;
		}
	}
	if (blen < 2)
		return NULL;
	if (blen > JL_WORDSTEP)
		blen = JL_WORDSTEP;
	out = hg_alloc(r->r_arena, blen * 2 + 2);
	for (i = 0, j = 0; i < blen; i++) {
		if (kw[best + i] == '_')
			out[j++] = '\\';
		out[j++] = hg_jw_lower(kw[best + i]);
	}
	out[j++] = '%';
	out[j] = '\0';
	return out;
}

/*
 * The filters on a line, shared by every plan, the page and the count:
 * the keyword (NULL when the index answers it exactly), user, host and
 * the time bounds, each NULL when not given.
 */
#define JL_FILTERS "(?s IS NULL OR l.text LIKE ?s) AND " \
	"(?s IS NULL OR l.user LIKE ?s) AND (?s IS NULL OR l.host LIKE ?s) " \
	"AND (?s IS NULL OR l.created_time >= ?s) AND " \
	"(?s IS NULL OR l.created_time <= ?s) "
#define JL_FARGS(f) (f)->kw, (f)->kw, (f)->user, (f)->user, (f)->host, \
	(f)->host, (f)->gt, (f)->gt, (f)->lt, (f)->lt
/*
 * The plans.  PLAIN: no keyword, or one without a word (then the newest
 * JL_SCANROWS lines only: ids above ?i), newest first by the primary key.
 * ONE: the keyword's word is in one dictionary word, whose postings are
 * read newest first in their index's order and stop with the page.
 * MANY: in several, whose postings are merged (and sorted) first.
 */
#define JL_PLAIN "FROM jump_logs l WHERE l.id > ?i AND " JL_FILTERS
/*
 * USER, HOST: no keyword, and the user (host) filter is contained in one
 * user (host) name only: that name's lines, newest first, from its index
 * (sql/095_jump_log_user_host.sql).  The filters still apply as given.
 */
#define JL_USER "FROM jump_logs l FORCE INDEX (jump_logs_user) WHERE " \
	"l.user = ?s AND l.id > ?i AND " JL_FILTERS
#define JL_HOST "FROM jump_logs l FORCE INDEX (jump_logs_host) WHERE " \
	"l.host = ?s AND l.id > ?i AND " JL_FILTERS
#define JL_ONE "FROM jump_log_postings p JOIN jump_logs l ON l.id = " \
	"p.log_id WHERE p.word_id = ?i AND " JL_FILTERS
#define JL_MANY "FROM (SELECT DISTINCT p.log_id FROM jump_log_suffixes x " \
	"JOIN jump_log_postings p ON p.word_id = x.word_id WHERE x.suffix " \
	"LIKE ?s) c " \
	"JOIN jump_logs l ON l.id = c.log_id WHERE " JL_FILTERS
#define JL_COUNT(from) "SELECT COUNT(*) FROM (SELECT 1 " from "LIMIT ?i) x"

struct jl_filter {
	const char	*kw, *user, *host, *gt, *lt;
};

/* A text filter's LIKE pattern, or NULL when absent or empty. */
static const char *
like_of(struct hg_req *r, const struct hg_val *v)
{
	return v->s != NULL && v->s[0] != '\0' ? hg_like(r, v) : NULL;
}

/*
 * The one user (col 0) or host (col 1) name that contains pattern, in
 * *name; NULL when none or several do.  Reads the names (jump_log_names,
 * sql/098), not the lines.  *none gets the (empty) answer when no name
 * contains it: then no line can match.
 */
static int
only_name(struct hg_req *r, int col, const char *pattern, const char **name,
    struct hg_rows **none)
{
	struct hg_rows	*rs;
	int		 rc;

	*name = NULL;
	*none = NULL;
	if (pattern == NULL)
		return 0;
	if ((rc = hg_sql(r, &rs, "SELECT name FROM jump_log_names WHERE kind = "
	    "?i AND name LIKE ?s LIMIT 2", (long long)col, pattern)) != 0)
		return rc;
	if (rs->nrows == 0)
		*none = rs;
	else if (rs->nrows == 1)
		*name = HG_CELL(rs, 0, 0);
	return 0;
}

/* GET /common-utils/jump-server-logs/ */
static int
jl_list(struct hg_req *r)
{
	enum { PLAIN, ONE, MANY, USER, HOST }	 plan = PLAIN;
	const struct hg_val	*q = r->r_qv;
	const struct hg_page	*pg = r->r_page;
	struct hg_rows		*rs, *cs;
	struct jl_filter	 f;
	const char		*word = NULL, *k = q[JQ_KEYWORD].s, *name = NULL;
	long long		 floor = 0, wid = 0, cap, count, lim, off;
	struct hg_rows		*none;
	int			 rc, exact = 0;

	f.kw = like_of(r, &q[JQ_KEYWORD]);
	f.user = like_of(r, &q[JQ_USER]);
	f.host = like_of(r, &q[JQ_HOST]);
	f.gt = hg_qtime(r, &q[JQ_GT]);
	f.lt = hg_qtime(r, &q[JQ_LT]);
	lim = pg->pg_size;
	off = pg->pg_offset;
	cap = off + lim < JL_COUNTMAX ? JL_COUNTMAX : off + lim;
	if (f.kw != NULL && (word = keyword_word(r, k)) != NULL) {
		if ((rc = hg_sql(r, &cs, "SELECT DISTINCT word_id FROM "
		    "jump_log_suffixes WHERE suffix LIKE ?s LIMIT 2", word)) !=
		    0)
			return rc;
		if (cs->nrows == 0)	/* no line has it */
			return hg_list_reply_count(r, pg, cs, jl_json, 0);
		plan = cs->nrows == 1 ? ONE : MANY;
		wid = hg_atoll(HG_CELL(cs, 0, 0));
		/*
		 * A keyword of word characters only, found whole in a word,
		 * is in every line of that word's postings: no line needs
		 * checking.
		 */
		exact = strlen(k) <= JL_WORDSTEP && strspn(k, "abcdefghijklmnopq"
		    "rstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
		    strlen(k);
		if (exact)
			f.kw = NULL;
	} else if (f.kw != NULL) {
		if ((rc = hg_sql(r, &cs, "SELECT COALESCE(MAX(id), 0) FROM "
		    "jump_logs")) != 0)
			return rc;
		floor = hg_atoll(HG_CELL(cs, 0, 0)) - JL_SCANROWS;
		if (floor < 0)
			floor = 0;
	}
	if (plan == PLAIN && (f.user != NULL || f.host != NULL)) {
		if ((rc = only_name(r, 0, f.user, &name, &none)) != 0)
			return rc;
		if (name != NULL)
			plan = USER;
		else if (none == NULL) {
			if ((rc = only_name(r, 1, f.host, &name, &none)) != 0)
				return rc;
			if (name != NULL)
				plan = HOST;
		}
		if (none != NULL)
			return hg_list_reply_count(r, pg, none, jl_json, 0);
	}
	switch (plan) {
	case USER:
		rc = hg_sql_page(r, &rs, HG_SQLV(JL_SELECT_ JL_USER "ORDER BY "
		    "l.id DESC LIMIT ?i OFFSET ?i", name, floor, JL_FARGS(&f)),
		    lim, off);
		break;
	case HOST:
		rc = hg_sql_page(r, &rs, HG_SQLV(JL_SELECT_ JL_HOST "ORDER BY "
		    "l.id DESC LIMIT ?i OFFSET ?i", name, floor, JL_FARGS(&f)),
		    lim, off);
		break;
	case PLAIN:
		rc = hg_sql_page(r, &rs, HG_SQLV(JL_SELECT_ JL_PLAIN "ORDER BY "
		    "l.id DESC LIMIT ?i OFFSET ?i", floor, JL_FARGS(&f)), lim,
		    off);
		break;
	case ONE:
		rc = hg_sql_page(r, &rs, HG_SQLV(JL_SELECT_ JL_ONE "ORDER BY "
		    "p.log_id DESC LIMIT ?i OFFSET ?i", wid, JL_FARGS(&f)), lim,
		    off);
		break;
	default:
		rc = hg_sql_page(r, &rs, HG_SQLV(JL_SELECT_ JL_MANY "ORDER BY "
		    "l.id DESC LIMIT ?i OFFSET ?i", word, JL_FARGS(&f)), lim,
		    off);
		break;
	}
	if (rc != 0)
		return rc;
	if (rs->nrows < lim && (rs->nrows > 0 || off == 0))
		count = off + rs->nrows;	/* the last page: exact */
	else {
		if (plan == ONE && exact && f.user == NULL && f.host == NULL &&
		    f.gt == NULL && f.lt == NULL)
			rc = hg_sql(r, &cs, JL_COUNT("FROM jump_log_postings p "
			    "WHERE p.word_id = ?i "), wid, cap + 1);
		else if (plan == PLAIN)
			rc = hg_sql(r, &cs, JL_COUNT(JL_PLAIN), floor,
			    JL_FARGS(&f), cap + 1);
		else if (plan == USER && f.kw == NULL && f.host == NULL &&
		    f.gt == NULL && f.lt == NULL)
			/* the index alone: no line read (NULL filters are not
			   folded away in a prepared statement) */
			rc = hg_sql(r, &cs, JL_COUNT("FROM jump_logs l FORCE INDEX "
			    "(jump_logs_user) WHERE l.user = ?s AND l.id > ?i AND "
			    "l.user LIKE ?s "), name, floor, f.user, cap + 1);
		else if (plan == USER)
			rc = hg_sql(r, &cs, JL_COUNT(JL_USER), name, floor,
			    JL_FARGS(&f), cap + 1);
		else if (plan == HOST && f.kw == NULL && f.user == NULL &&
		    f.gt == NULL && f.lt == NULL)
			rc = hg_sql(r, &cs, JL_COUNT("FROM jump_logs l FORCE INDEX "
			    "(jump_logs_host) WHERE l.host = ?s AND l.id > ?i AND "
			    "l.host LIKE ?s "), name, floor, f.host, cap + 1);
		else if (plan == HOST)
			rc = hg_sql(r, &cs, JL_COUNT(JL_HOST), name, floor,
			    JL_FARGS(&f), cap + 1);
		else if (plan == ONE)
			rc = hg_sql(r, &cs, JL_COUNT(JL_ONE), wid, JL_FARGS(&f),
			    cap + 1);
		else
			rc = hg_sql(r, &cs, JL_COUNT(JL_MANY), word,
			    JL_FARGS(&f), cap + 1);
		if (rc != 0)
			return rc;
		count = hg_atoll(HG_CELL(cs, 0, 0));
	}
	if ((rc = hg_list_reply_count(r, pg, rs, jl_json, count)) != 0)
		return rc;
	if (count > cap) {
		json_object_object_add(r->r_out, "count",
		    json_object_new_int64(cap));
		json_object_object_add(r->r_out, "count_exact",
		    json_object_new_boolean(0));
	}
	return 0;
}

#define LOGS	PERM_MODULE("common_tools", "enable_jumpserver_log_mgmt")

const struct hg_route hg_routes_jump_logs[] = {
	ROUTE("GET", "/common-utils/jump-server-logs", jl_list, LOGS,
	    QUERY(list_q), PAGED),
	ROUTE("GET", "/common-utils/jump-server-log", jl_list, LOGS,
	    QUERY(list_q), PAGED),
	ROUTE("POST", "/common-utils/jump-server-logs", jl_ingest, LOGS,
	    ITEMS(line_fields), MAXITEMS(JL_MAXLINES)),
	ROUTES_END
};
