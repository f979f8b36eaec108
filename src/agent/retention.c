/*
 * retention.c -- the bastion command log's retention: lines older than
 * jump_log_retention_days (0: kept forever) are dropped with their keyword
 * index rows (sql/091_jump_log.sql, 094).
 *
 * It runs on a thread of its own with its own MySQL connection, so that a
 * long purge neither holds up the queue loop nor a web worker.  A purge is
 * many short transactions of at most jump_log_purge_batch lines: the
 * oldest lines by created_time (its index), then their postings, then the
 * lines by primary key.  A line's postings are found from its text: its
 * words (lib/jumpwords.c, the code ingestion took them with), their ids
 * in the dictionary, then (word id, line id), the postings' primary key.
 * No index of the postings by line id to keep up on every insert: it cost
 * a fifth of MariaDB's time ingesting (sql/097).  Each transaction locks
 * only the rows it deletes and searches read consistent snapshots, so
 * they never wait for it; a short pause between two batches leaves the
 * disk to them too.
 *
 * Several agents share one database: a MySQL named lock lets one of them
 * purge at a time (the others find it taken and skip that round).
 * Dictionary words whose postings are all gone stay: a word costs a few
 * bytes and may come back tomorrow.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "agent.h"
#include "conf.h"
#include "jumpwords.h"

#define ROUND_S		600	/* between two looks when nothing is left */
#define PAUSE_MS	20	/* between two batches of one purge */
#define LOCK_NAME	"hangar_jump_log_retention"

static pthread_t		 thread;
static int			 started;
static atomic_int		 quit;

/* Sleep ms milliseconds, or less when asked to quit. */
static void
nap(long ms)
{
	while (ms > 0 && !quit) {
		long step = ms < 100 ? ms : 100;

		usleep((useconds_t)step * 1000);
		ms -= step;
	}
}

/* The JSON text of j, in the arena; j is put. */
static const char *
json_text(struct hg_arena *a, json_object *j)
{
	const char *s = hg_strdup(a, json_object_to_json_string_ext(j,
	    JSON_C_TO_STRING_PLAIN));

	json_object_put(j);
	return s;
}

/*
 * The postings of the lines rs (id, text) as a JSON array of [word id,
 * line id]: the lines' words, sorted, their ids asked for at once (sorted
 * alike: the dictionary's words are ascii_bin), merged.  A word the
 * dictionary lacks has no postings to delete.  NULL when MySQL failed.
 */
static const char *
postings_of(struct hg_db *db, struct hg_arena *a, struct hg_rows *rs)
{
	struct hg_jw_postings	 pp = { NULL, 0, 0 };
	struct hg_rows		*ws;
	json_object		*words, *pairs;
	const char		*out = NULL;
	size_t			 i;
	int			 i_line, w = 0;

	for (i_line = 0; i_line < rs->nrows; i_line++) {
		const char *text = HG_CELL(rs, i_line, 1);

		hg_jw_words(text, hg_alloc(a, strlen(text) + 1),
		    hg_atoll(HG_CELL(rs, i_line, 0)), &pp);
	}
	hg_jw_sort(&pp);
	words = json_object_new_array();
	for (i = 0; i < pp.n; i++)
		if (i == 0 || !hg_jw_same(&pp.ps[i], &pp.ps[i - 1]))
			json_object_array_add(words, json_object_new_string_len(
			    pp.ps[i].p_word, (int)pp.ps[i].p_len));
	if (hg_db_query(db, a, &ws, "SELECT x.word, x.id FROM JSON_TABLE(?, "
	    "'$[*]' COLUMNS (w VARCHAR(64) CHARACTER SET ascii COLLATE "
	    "ascii_bin PATH '$')) jt JOIN jump_log_words x ON x.word = jt.w "
	    "ORDER BY x.word", "s", json_text(a, words)) != 0)
		goto done;
	pairs = json_object_new_array();
	for (i = 0; i < pp.n; i++) {
		const struct hg_jw_posting *p = &pp.ps[i];
		json_object *pair;

		if (i > 0 && hg_jw_same(p, &pp.ps[i - 1]) &&
		    p->p_line == pp.ps[i - 1].p_line)
			continue;
		while (w < ws->nrows && strncmp(HG_CELL(ws, w, 0), p->p_word,
		    p->p_len) < 0)
			w++;
		if (w == ws->nrows || strncmp(HG_CELL(ws, w, 0), p->p_word,
		    p->p_len) != 0 || HG_CELL(ws, w, 0)[p->p_len] != '\0')
			continue;
		pair = json_object_new_array_ext(2);
		json_object_array_add(pair, json_object_new_int64(
		    hg_atoll(HG_CELL(ws, w, 1))));
		json_object_array_add(pair, json_object_new_int64(p->p_line));
		json_object_array_add(pairs, pair);
	}
	out = json_text(a, pairs);
done:
	hg_jw_free(&pp);
	return out;
}

/*
 * One batch: the oldest lines before cutoff, at most batch of them, with
 * their postings.  Returns how many lines went, or -1 (MySQL away or
 * refusing: logged, tried again next round).
 */
static long long
purge_batch(struct hg_db *db, struct hg_arena *a, const char *cutoff,
    long batch)
{
	struct hg_rows	*rs;
	const char	*pairs;
	char		*ids, *p;
	size_t		 cap;
	int		 i;

	if (hg_db_begin(db) != 0)
		return -1;
	if (hg_db_query(db, a, &rs, "SELECT id, text FROM jump_logs WHERE "
	    "created_time < ? ORDER BY created_time, id LIMIT ?", "si", cutoff,
	    (long long)batch) != 0)
		goto fail;
	if (rs->nrows == 0) {
		hg_db_rollback(db);
		return 0;
	}
	/* The ids as a JSON array: one statement each, whatever the batch. */
	cap = (size_t)rs->nrows * 22 + 3;
	p = ids = hg_alloc(a, cap);
	*p++ = '[';
	for (i = 0; i < rs->nrows; i++)
		p += snprintf(p, cap - (size_t)(p - ids), "%s%s", i ? "," : "",
		    HG_CELL(rs, i, 0));
	*p++ = ']';
	*p = '\0';
	if ((pairs = postings_of(db, a, rs)) == NULL ||
	    hg_db_exec(db, "DELETE p FROM JSON_TABLE(?, '$[*]' COLUMNS (w "
	    "BIGINT UNSIGNED PATH '$[0]', l BIGINT UNSIGNED PATH '$[1]')) jt "
	    "JOIN jump_log_postings p ON p.word_id = jt.w AND p.log_id = jt.l",
	    "s", pairs) != 0 ||
	    hg_db_exec(db, "DELETE l FROM JSON_TABLE(?, '$[*]' COLUMNS (id "
	    "BIGINT UNSIGNED PATH '$')) jt JOIN jump_logs l ON l.id = jt.id",
	    "s", ids) != 0)
		goto fail;
	if (hg_db_commit(db) != 0)
		return -1;
	return rs->nrows;
fail:
	hg_db_rollback(db);
	return -1;
}

/* One round: everything older than the retention, batch by batch. */
static void
purge_round(struct hg_db *db, struct hg_arena *a)
{
	struct hg_rows	*rs;
	struct timespec	 t0;
	char		 cutoff[32];
	time_t		 bound;
	struct tm	 tm;
	long long	 n, total = 0;
	long		 batches = 0;

	if (hg_db_query(db, a, &rs, "SELECT GET_LOCK(?, 0)", "s", LOCK_NAME) !=
	    0 || rs->nrows == 0 || HG_CELL(rs, 0, 0) == NULL ||
	    strcmp(HG_CELL(rs, 0, 0), "1") != 0)
		return;		/* another agent purges, or MySQL is away */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bound = time(NULL) - (time_t)hg_conf.jump_log_retention_days * 86400;
	gmtime_r(&bound, &tm);
	strftime(cutoff, sizeof(cutoff), "%Y-%m-%d %H:%M:%S", &tm);
	while (!quit && (n = purge_batch(db, a, cutoff,
	    hg_conf.jump_log_purge_batch)) > 0) {
		total += n;
		batches++;
		hg_arena_reset(a);
		if (n < hg_conf.jump_log_purge_batch)
			break;
		nap(PAUSE_MS);
	}
	if (n < 0)
		ev(HG_WARN, 0, NULL, "retention", ms_since(&t0), "failed",
		    "jump log purge stopped after %lld lines: %s", total,
		    hg_db_last_error(db));
	if (total > 0)
		ev(HG_INFO, 0, NULL, "retention", ms_since(&t0), "purged",
		    "%lld jump log lines before %s UTC dropped in %ld batches",
		    total, cutoff, batches);
	(void)hg_db_exec(db, "DO RELEASE_LOCK(?)", "s", LOCK_NAME);
}

static void *
thread_main(void *arg)
{
	struct hg_db	*db = arg;
	struct hg_arena	 a;

	hg_arena_init(&a);
	while (!quit) {
		purge_round(db, &a);
		hg_arena_reset(&a);
		nap(ROUND_S * 1000L);
	}
	hg_arena_free(&a);
	hg_db_close(db);
	return NULL;
}

void
retention_start(void)
{
	struct hg_db *db;

	if (hg_conf.jump_log_retention_days <= 0)
		return;		/* kept forever */
	db = hg_db_new();
	if (pthread_create(&thread, NULL, thread_main, db) != 0)
		hg_fatal("pthread_create failed");
	started = 1;
}

void
retention_stop(void)
{
	if (!started)
		return;
	quit = 1;
	pthread_join(thread, NULL);
	started = 0;
}
