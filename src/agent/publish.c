/*
 * publish.c -- live task output to nginx's nchan publisher.
 *
 * Browsers watch a task at ws://<host>/ws/tasks/<id> (hangar-api(7)):
 * nginx's nchan module fans each message out to every subscriber of the
 * task's channel and keeps the channel's recent messages, so that a late
 * subscriber first gets what was already written.  The agent feeds it:
 * one HTTP POST per output line, a JSON object with the fields of
 * GET /tasks/{id}/output/ lines, and one last message with the task's
 * outcome (nginx/hangar.conf has the publisher server).
 *
 * Publishing must never hold a task up, so the pool threads only append
 * to a bounded queue (publish_line, publish_end) and one thread of ours
 * does the HTTP, with short timeouts, over one kept-alive connection (in
 * order: a channel's messages arrive as the lines were written).  A
 * publisher that fails makes this thread drop messages for PAUSE_MS
 * before it tries again, and a full queue drops them at once; either is
 * logged once when it starts and once when it ends, with the count.  The
 * live view then misses those lines; the task's record (task_output, the
 * Redis stream behind the long poll) has them all.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "agent.h"
#include "conf.h"
#include "db.h"
#include "timefmt.h"

#define QUEUE_MAX	50000		/* messages waiting */
#define QUEUE_BYTES	(32 << 20)	/* and their bytes */
#define PAUSE_MS	1000		/* after a failed publish */
#define DRAIN_MS	2000		/* at exit, for what is queued */

struct msg {
	struct msg	*m_next;
	long long	 m_task;
	size_t		 m_size;
	int		 m_end;		/* the task's end, not a line */
	int		 m_stderr;
	const char	*m_host;	/* line: host; end: the status */
	const char	*m_text;
	char		 m_time[24];	/* "YYYY-MM-DD HH:MM:SS.mmm" UTC */
	char		 m_buf[];	/* m_host and m_text */
};

static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 wake = PTHREAD_COND_INITIALIZER;
static struct msg	*head, **tail = &head;
static size_t		 queued, queued_bytes;
static size_t		 overflow;	/* dropped because the queue was full */
static int		 running, stopping;
static pthread_t	 thread;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Queue a message; the queue full, count it dropped. */
static void
enqueue(long long task, int end, int is_stderr, const char *host,
    const char *text, const char *time)
{
	size_t		 hl = strlen(host) + 1, tl = strlen(text) + 1;
	struct msg	*m;
	int		 first_drop = 0;

	if (!running)
		return;
	pthread_mutex_lock(&lock);
	if (queued >= QUEUE_MAX || queued_bytes + hl + tl > QUEUE_BYTES) {
		first_drop = overflow++ == 0;
		pthread_mutex_unlock(&lock);
		if (first_drop)
			ev(HG_WARN, task, NULL, "publish", -1, "dropped", "live "
			    "output queue full (the publisher is slower than "
			    "the tasks): dropping live messages");
		return;
	}
	pthread_mutex_unlock(&lock);
	if ((m = malloc(sizeof(*m) + hl + tl)) == NULL)
		return;
	m->m_next = NULL;
	m->m_task = task;
	m->m_size = hl + tl;
	m->m_end = end;
	m->m_stderr = is_stderr;
	memcpy(m->m_buf, host, hl);
	memcpy(m->m_buf + hl, text, tl);
	m->m_host = m->m_buf;
	m->m_text = m->m_buf + hl;
	snprintf(m->m_time, sizeof(m->m_time), "%s", time);
	pthread_mutex_lock(&lock);
	*tail = m;
	tail = &m->m_next;
	queued++;
	queued_bytes += m->m_size;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
}

void
publish_line(long long task, const char *host, int is_stderr,
    const char *text, const char *time)
{
	enqueue(task, 0, is_stderr, host, text, time);
}

void
publish_task_end(struct hg_db *db, long long task)
{
	struct hg_arena	 a;
	struct hg_rows	*rs;

	if (!running)
		return;
	hg_arena_init(&a);
	if (hg_db_query(db, &a, &rs, "SELECT status, DATE_FORMAT(COALESCE("
	    "finished_time, UTC_TIMESTAMP()), '%Y-%m-%d %H:%i:%s.000') FROM "
	    "tasks WHERE id = ?", "i", task) == 0 && rs->nrows == 1)
		enqueue(task, 1, 0, HG_CELL(rs, 0, 0), "", HG_CELL(rs, 0, 1));
	hg_arena_free(&a);
}

/* The message's JSON text, in a's memory. */
static const char *
render(struct hg_arena *a, const struct msg *m)
{
	json_object	*o = json_object_new_object();
	const char	*s;

	if (m->m_end) {
		json_object_object_add(o, "finished",
		    json_object_new_boolean(1));
		json_object_object_add(o, "status",
		    json_object_new_string(m->m_host));
	} else {
		json_object_object_add(o, "host",
		    json_object_new_string(m->m_host));
		json_object_object_add(o, "stream", json_object_new_string(
		    m->m_stderr ? "stderr" : "stdout"));
		json_object_object_add(o, "text",
		    json_object_new_string(m->m_text));
	}
	json_object_object_add(o, "time", json_object_new_string(
	    hg_time_out(a, m->m_time)));
	s = hg_strdup(a, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* POST one message; NULL, or why it failed (in a's memory). */
static const char *
post(CURL *c, struct hg_arena *a, const struct msg *m)
{
	const char	*body = render(a, m);
	CURLcode	 rc;
	long		 status = 0;

	curl_easy_setopt(c, CURLOPT_URL, hg_printf(a, "%s%lld",
	    hg_conf.ws_publish_url, m->m_task));
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	if ((rc = curl_easy_perform(c)) != CURLE_OK)
		return hg_printf(a, "%s", curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299)
		return hg_printf(a, "HTTP status %ld", status);
	return NULL;
}

static CURL *
client(struct curl_slist *hdrs)
{
	CURL *c;

	if ((c = curl_easy_init()) == NULL)
		return NULL;
	if (*hg_conf.ws_publish_socket != '\0')
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH,
		    hg_conf.ws_publish_socket);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, hg_conf.ws_publish_timeout);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, hg_conf.ws_publish_timeout);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	return c;
}

static void *
run(void *arg)
{
	struct curl_slist	*hdrs = NULL;
	struct hg_arena		 a;
	struct msg		*m, *batch;
	CURL			*c;
	const char		*why;
	double			 pause_until = 0, drain_until = 0;
	size_t			 failed = 0, full;

	(void)arg;
	hg_arena_init(&a);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	/* nchan answers a publish with the channel's counters: not needed */
	hdrs = curl_slist_append(hdrs, "Accept: text/plain");
	/* what nginx's publisher checks (nginx/hangar.conf); never logged */
	if (*hg_conf.ws_publish_secret != '\0') {
		char *h = hg_printf(&a, "X-Hangar-Publish-Secret: %s",
		    hg_conf.ws_publish_secret);

		hdrs = curl_slist_append(hdrs, h);
	}
	c = client(hdrs);
	for (;;) {
		pthread_mutex_lock(&lock);
		while (head == NULL && !stopping)
			pthread_cond_wait(&wake, &lock);
		if (head == NULL) {
			pthread_mutex_unlock(&lock);
			break;
		}
		if (stopping && drain_until == 0)
			drain_until = now_ms() + DRAIN_MS;
		batch = head;
		head = NULL;
		tail = &head;
		queued = queued_bytes = 0;
		full = overflow;
		overflow = 0;
		pthread_mutex_unlock(&lock);
		if (full > 0)
			ev(HG_INFO, 0, NULL, "publish", -1, "resumed", "live "
			    "output queue has room again; %zu messages dropped",
			    full);
		while ((m = batch) != NULL) {
			batch = m->m_next;
			if (c == NULL || now_ms() < pause_until ||
			    (drain_until != 0 && now_ms() > drain_until))
				failed++;
			else if ((why = post(c, &a, m)) != NULL) {
				if (failed++ == 0)
					ev(HG_WARN, m->m_task, NULL, "publish",
					    -1, "error", "publishing live output "
					    "to %s failed (%s): dropping live "
					    "messages until it works again",
					    hg_conf.ws_publish_url, why);
				pause_until = now_ms() + PAUSE_MS;
			} else if (failed > 0) {
				ev(HG_INFO, m->m_task, NULL, "publish", -1,
				    "resumed", "publishing live output again; "
				    "%zu messages dropped", failed);
				failed = 0;
			}
			free(m);
			hg_arena_reset(&a);
		}
	}
	if (failed > 0)
		ev(HG_WARN, 0, NULL, "publish", -1, "dropped", "%zu live "
		    "messages dropped", failed);
	if (c != NULL)
		curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	hg_arena_free(&a);
	return NULL;
}

/* Start the thread, before the pool's (needs curl_global_init first). */
void
publish_start(void)
{
	if (*hg_conf.ws_publish_url == '\0')
		return;
	/* Times as the API shows them; only this thread formats them. */
	(void)hg_tz_init(hg_conf.timezone);
	if (pthread_create(&thread, NULL, run, NULL) != 0) {
		ev(HG_ERROR, 0, NULL, "publish", -1, "error", "cannot start the "
		    "live output thread: nothing is published");
		return;
	}
	running = 1;
}

/* After the pool's threads are joined: send what is queued, briefly. */
void
publish_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	stopping = 1;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	running = 0;
}
