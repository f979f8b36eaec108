/*
 * pool.c -- bounded parallelism: `parallel` threads take hosts from one
 * FIFO.  Threads rather than processes because each host mostly waits on
 * the network, and a thread costs a stack and two connections, which keeps
 * a 200-host task well under 64 MB.
 *
 * On SIGTERM the queue is dropped (pool_quit: those hosts stay pending in
 * MySQL and the job stays unacknowledged, so another agent takes them)
 * while the hosts under way run to their end (pool_busy, pool_join).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "redis.h"

struct item {
	struct item	*i_next;
	struct job	*i_job;
	long long	 i_host;
};

static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 cv = PTHREAD_COND_INITIALIZER;
static struct item	*head, **tailp = &head;
static int		 nqueued, nbusy, quitting, nthreads;
static pthread_t	*threads;
static struct worker	*workers;

static void *
thread_main(void *arg)
{
	struct worker	*w = arg;
	struct item	*it;

	for (;;) {
		pthread_mutex_lock(&mu);
		while (head == NULL && !quitting)
			pthread_cond_wait(&cv, &mu);
		if (quitting) {
			pthread_mutex_unlock(&mu);
			break;
		}
		it = head;
		if ((head = it->i_next) == NULL)
			tailp = &head;
		nqueued--;
		nbusy++;
		pthread_mutex_unlock(&mu);

		if (it->i_host == 0)	/* a task without hosts */
			cdn_run(w, it->i_job);
		else
			host_run(w, it->i_job, it->i_host);
		hg_arena_reset(&w->w_arena);

		pthread_mutex_lock(&mu);
		it->i_job->j_left--;
		nbusy--;
		pthread_mutex_unlock(&mu);
		free(it);
	}
	return NULL;
}

void
pool_start(int n)
{
	pthread_attr_t	attr;
	int		i;

	nthreads = n;
	threads = calloc((size_t)n, sizeof(*threads));
	workers = calloc((size_t)n, sizeof(*workers));
	if (threads == NULL || workers == NULL)
		hg_fatal("out of memory");
	/* Small stacks: 200 threads must stay far below 64 MB resident. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 512 * 1024);
	for (i = 0; i < n; i++) {
		workers[i].w_id = i;
		workers[i].w_db = hg_db_new();
		workers[i].w_redis = hg_redis_new();
		hg_arena_init(&workers[i].w_arena);
		if (pthread_create(&threads[i], &attr, thread_main,
		    &workers[i]) != 0)
			hg_fatal("pthread_create failed");
	}
	pthread_attr_destroy(&attr);
}

void
pool_add(struct job *j, long long host)
{
	struct item *it = calloc(1, sizeof(*it));

	if (it == NULL)
		hg_fatal("out of memory");
	it->i_job = j;
	it->i_host = host;
	pthread_mutex_lock(&mu);
	*tailp = it;
	tailp = &it->i_next;
	nqueued++;
	j->j_left++;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

int
pool_queued(void)
{
	int n;

	pthread_mutex_lock(&mu);
	n = nqueued;
	pthread_mutex_unlock(&mu);
	return n;
}

int
pool_left(struct job *j)
{
	int n;

	pthread_mutex_lock(&mu);
	n = j->j_left;
	pthread_mutex_unlock(&mu);
	return n;
}

/* Drop the queued hosts and tell the threads to stop after their host. */
void
pool_quit(void)
{
	struct item *it, *next;

	pthread_mutex_lock(&mu);
	for (it = head; it != NULL; it = next) {
		next = it->i_next;
		it->i_job->j_left--;
		free(it);
	}
	head = NULL;
	tailp = &head;
	nqueued = 0;
	quitting = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

/* Has pool_quit() been called?  Long steps stop between two calls. */
int
pool_stopping(void)
{
	int q;

	pthread_mutex_lock(&mu);
	q = quitting;
	pthread_mutex_unlock(&mu);
	return q;
}

/* Hosts still running (after pool_quit). */
int
pool_busy(void)
{
	int n;

	pthread_mutex_lock(&mu);
	n = nbusy;
	pthread_mutex_unlock(&mu);
	return n;
}

void
pool_join(void)
{
	int i;

	for (i = 0; i < nthreads; i++) {
		pthread_join(threads[i], NULL);
		hg_db_close(workers[i].w_db);
		hg_redis_free(workers[i].w_redis);
		hg_arena_free(&workers[i].w_arena);
	}
	free(threads);
	free(workers);
}
