/*
 * jumplog.c -- hangarctl jump-log ship: a bastion's command log forwarder
 * (issue 15, hangarctl(8)).
 *
 *	hangarctl jump-log ship [--state FILE] [--batch N] [--interval MS]
 *	    [--once] LOGFILE
 *
 * Follows LOGFILE, cuts it into lines, and POSTs them in batches to
 * $HANGAR_URL/common-utils/jump-server-logs/ with the API token in
 * $HANGAR_TOKEN (or the first line of the file $HANGAR_TOKEN_FILE).
 *
 * A line is "TIME USER HOST TEXT": TIME RFC 3339 or Unix seconds, USER and
 * HOST words, separated by one or more blanks; TEXT is the rest of the
 * line, as it is.  A line that does not have that shape is sent whole as
 * TEXT, with user "-", this machine's host name and the time it was read.
 * Invalid UTF-8 is replaced by U+FFFD and control characters other than
 * tab by "\xNN"; fields are cut to the server's bounds (user 64, host 255,
 * text 4096 characters).  Only complete lines (ending in a newline) are
 * sent.
 *
 * Exactly once: each line's id is "PREFIX:INODE:HEAD:OFFSET" -- PREFIX this
 * machine's host name, INODE the file's, HEAD a hash of the file's first
 * line (so a file truncated in place or an inode used again is a new
 * file), OFFSET the line's byte offset -- and the server stores an id once.
 * The state file (default LOGFILE.ship-state) holds "INODE HEAD OFFSET" of
 * the first line not yet acknowledged; it is written (to a temporary file,
 * fsync'd, renamed) only after the server acknowledged a batch.  A batch
 * whose answer was lost is sent again with the same ids after a restart
 * and stored once.
 *
 * Rotation: when LOGFILE is renamed away and created again, the old file
 * (still open) is read to its end before the new one is opened.  When it
 * is copied and truncated in place (copytruncate), the lines written
 * between the last read and the copy are read from the copy: a file in
 * LOGFILE's folder whose name begins with LOGFILE's and that has the same
 * first line.  After a restart the same search finds the file the state
 * names by its inode (renamed) or its first line (copied).  Compressed
 * rotations (*.gz, *.xz, *.bz2, *.zst) are not read.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "jumplog.h"
#include "timefmt.h"

#define MAXLINE		65536	/* longer lines are cut here */
#define MAXBATCH	10000	/* the server's bound */
#define MAXBYTES	(512 * 1024)	/* a batch's body, under max_body */

struct ship {
	const char	*path;		/* LOGFILE */
	const char	*state;		/* state file */
	const char	*url;		/* ingestion URL */
	char		 auth[600];	/* "Authorization: Token ..." */
	char		 prefix[64];	/* the ids' PREFIX */
	long		 batch;
	long		 maxbytes;	/* a batch's body, about */
	long		 interval;	/* ms between looks at an idle file */
	int		 once;
	CURL		*curl;
};

/* The file being read. */
struct src {
	FILE		*f;
	ino_t		 ino;
	uint32_t	 head;		/* hash of the first line; 0: none yet */
	off_t		 off;		/* first byte not yet acknowledged */
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
say(const char *fmt, ...)
{
	char	t[32];
	time_t	now = time(NULL);
	va_list	ap;

	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fprintf(stderr, "%s hangarctl jump-log: ", t);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (!stop && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* FNV-1a of a file's first line (up to 256 bytes); never 0. */
static uint32_t
head_of(FILE *f)
{
	uint32_t	 h = 2166136261u;
	off_t		 at = ftello(f);
	int		 c, n = 0, nl = 0;

	if (fseeko(f, 0, SEEK_SET) != 0)
		return 0;
	while (n < 256 && (c = getc(f)) != EOF) {
		if (c == '\n') {
			nl = 1;
			break;
		}
		h = (h ^ (uint32_t)c) * 16777619u;
		n++;
	}
	if (n == 256)
		nl = 1;
	clearerr(f);
	(void)fseeko(f, at, SEEK_SET);
	if (!nl)
		return 0;	/* no complete first line yet */
	return h ? h : 1;
}

static int
state_read(const struct ship *s, unsigned long long *ino, uint32_t *head,
    long long *off)
{
	FILE	*f = fopen(s->state, "r");
	int	 n;

	if (f == NULL)
		return -1;
	n = fscanf(f, "%llu %" SCNu32 " %lld", ino, head, off);
	fclose(f);
	return n == 3 && *off >= 0 ? 0 : -1;
}

static int
state_write(const struct ship *s, const struct src *c)
{
	char	 tmp[PATH_MAX];
	FILE	*f;
	int	 ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp", s->state);
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(f, "%llu %" PRIu32 " %lld\n", (unsigned long long)c->ino,
	    c->head, (long long)c->off);
	ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, s->state) != 0) {
		say("cannot write %s: %s", s->state, strerror(errno));
		return -1;
	}
	return 0;
}

/* Append the UTF-8 sequence of code point cp. */
static size_t
put_cp(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * in[0..len) as valid UTF-8 of at most max characters: bad bytes become
 * U+FFFD, control characters but tab "\xNN".  out holds len * 4 + 1.
 */
static char *
clean(const unsigned char *in, size_t len, size_t max, char *out)
{
	size_t	 i = 0, o = 0, chars = 0;

	while (i < len && chars < max) {
		unsigned	c = in[i], cp, need, k;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				o += (size_t)sprintf(out + o, "\\x%02x", c);
			else
				out[o++] = (char)c;
			i++;
			chars++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else
			goto bad;
		for (k = 1; k <= need; k++) {
			if (i + k >= len || (in[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (in[i + k] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 &&
		    cp <= 0xdfff))) || (need == 3 && (cp < 0x10000 ||
		    cp > 0x10ffff)))
			goto bad;
		o += put_cp(out + o, cp);
		i += need + 1;
		chars++;
		continue;
bad:
		o += put_cp(out + o, 0xfffd);
		i++;
		chars++;
	}
	out[o] = '\0';
	return out;
}

/* The end of a blank-separated word at p (its first blank or end). */
static const char *
word_end(const char *p, const char *end)
{
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	return p;
}

static const char *
skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* A line (without its newline) as the JSON object of a line. */
static json_object *
line_json(const struct ship *s, const struct src *c, off_t off,
    const char *line, size_t len)
{
	static char	 buf[MAXLINE * 4 + 16], host[256];
	const char	*end = line + len, *t0 = line, *t1, *u0, *u1, *h0, *h1,
			*x;
	char		 tbuf[64], ts[160];
	long long	 t;
	json_object	*o = json_object_new_object();

	if (len > 0 && line[len - 1] == '\r')
		end--;
	t1 = word_end(t0, end);
	u0 = skip_blanks(t1, end);
	u1 = word_end(u0, end);
	h0 = skip_blanks(u1, end);
	h1 = word_end(h0, end);
	x = h1 < end ? h1 + 1 : h1;
	snprintf(tbuf, sizeof(tbuf), "%.*s", (int)(t1 - t0 < 63 ? t1 - t0 :
	    63), t0);
	snprintf(ts, sizeof(ts), "%s:%llu:%08x:%lld", s->prefix,
	    (unsigned long long)c->ino, (unsigned)c->head, (long long)off);
	json_object_object_add(o, "id", json_object_new_string(s->prefix[0] ?
	    ts : ts + 1));
	if (t1 > t0 && u1 > u0 && h1 > h0 && (strchr(tbuf, 'T') != NULL ||
	    strspn(tbuf, "0123456789") == strlen(tbuf)) &&
	    hg_parse_time(tbuf, 0, &t) == 0) {
		json_object_object_add(o, "created_time",
		    json_object_new_int64(t));
		json_object_object_add(o, "user", json_object_new_string(
		    clean((const unsigned char *)u0, (size_t)(u1 - u0), 64,
		    buf)));
		json_object_object_add(o, "host", json_object_new_string(
		    clean((const unsigned char *)h0, (size_t)(h1 - h0), 255,
		    buf)));
		json_object_object_add(o, "text", json_object_new_string(
		    clean((const unsigned char *)x, (size_t)(end - x), 4096,
		    buf)));
		return o;
	}
	if (host[0] == '\0' && (gethostname(host, sizeof(host) - 1) != 0 ||
	    host[0] == '\0'))
		strcpy(host, "-");
	json_object_object_add(o, "user", json_object_new_string("-"));
	json_object_object_add(o, "host", json_object_new_string(clean(
	    (const unsigned char *)host, strlen(host), 255, buf)));
	json_object_object_add(o, "text", json_object_new_string(clean(
	    (const unsigned char *)line, (size_t)(end - line), 4096, buf)));
	return o;
}

static size_t
sink(char *p, size_t n, size_t m, void *arg)
{
	(void)p;
	(void)arg;
	return n * m;
}

/* POST body; 0 when the server stored it (201). */
static int
post(struct ship *s, const char *body)
{
	struct curl_slist	*h = NULL;
	long			 status = 0;
	CURLcode		 rc;

	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, s->auth);
	curl_easy_reset(s->curl);
	curl_easy_setopt(s->curl, CURLOPT_URL, s->url);
	curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(s->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(s->curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	if (rc != CURLE_OK) {
		say("%s: %s", s->url, curl_easy_strerror(rc));
		return -1;
	}
	if (status == 413 && s->maxbytes > 16384) {
		/* The server's max_body is smaller: smaller batches. */
		s->maxbytes /= 2;
		say("%s: HTTP 413; batches of %ld bytes from now on", s->url,
		    s->maxbytes);
		return 1;
	}
	if (status != 201) {
		say("%s: HTTP %ld%s", s->url, status, status == 400 ?
		    " (refused: see the server's log; retrying)" : "");
		return -1;
	}
	return 0;
}

/*
 * Ship c's complete lines from c->off to its end, in batches, each sent
 * until the server takes it; c->off and the state follow.  0 at the end of
 * what is there, -1 when stopped.
 */
static int
drain(struct ship *s, struct src *c)
{
	static char	 line[MAXLINE + 1];
	json_object	*arr, *o;
	off_t		 at, next;
	size_t		 n, bytes;
	int		 ch, rc, fails = 0;

	if (c->head == 0 && (c->head = head_of(c->f)) == 0)
		return 0;	/* not even a first line yet */
	for (;;) {
		if (fseeko(c->f, c->off, SEEK_SET) != 0)
			return 0;
		arr = json_object_new_array();
		n = bytes = 0;
		at = next = c->off;
		while ((long)json_object_array_length(arr) < s->batch &&
		    bytes < (size_t)s->maxbytes) {
			size_t len = 0;
			off_t	start = at;

			while ((ch = getc(c->f)) != EOF && ch != '\n') {
				if (len < MAXLINE)
					line[len++] = (char)ch;
				at++;
			}
			if (ch == EOF)
				break;		/* an incomplete line waits */
			at++;
			o = line_json(s, c, start, line, len);
			bytes += strlen(json_object_to_json_string_ext(o,
			    JSON_C_TO_STRING_PLAIN)) + 1;
			json_object_array_add(arr, o);
			next = at;
			n++;
		}
		clearerr(c->f);
		if (n == 0) {
			json_object_put(arr);
			return 0;
		}
		while ((rc = post(s, json_object_to_json_string_ext(arr,
		    JSON_C_TO_STRING_PLAIN))) != 0) {
			if (rc > 0)
				break;		/* cut smaller: again */
			if (stop) {
				json_object_put(arr);
				return -1;
			}
			nap(fails < 6 ? 500L << fails : 30000);
			fails++;
		}
		json_object_put(arr);
		if (rc > 0)
			continue;
		fails = 0;
		c->off = next;
		if (state_write(s, c) != 0)
			return -1;
	}
}

static int
is_compressed(const char *name)
{
	static const char *const ext[] = { ".gz", ".xz", ".bz2", ".zst",
	    ".Z", NULL };
	size_t	n = strlen(name), i;

	for (i = 0; ext[i] != NULL; i++)
		if (n > strlen(ext[i]) && strcmp(name + n - strlen(ext[i]),
		    ext[i]) == 0)
			return 1;
	return 0;
}

/*
 * A rotated sibling of LOGFILE holding the file c names: the same inode
 * (renamed) or another with the same first line and at least c->off
 * bytes (copied); opened into *out, or -1.
 */
static int
find_rotated(const struct ship *s, const struct src *c, ino_t cur,
    struct src *out)
{
	char		 d1[PATH_MAX], b1[PATH_MAX], p[PATH_MAX * 2];
	const char	*dir, *base;
	DIR		*d;
	struct dirent	*e;
	struct stat	 st;
	size_t		 bl;
	int		 found = -1;

	snprintf(d1, sizeof(d1), "%s", s->path);
	snprintf(b1, sizeof(b1), "%s", s->path);
	dir = dirname(d1);
	base = basename(b1);
	bl = strlen(base);
	if ((d = opendir(dir)) == NULL)
		return -1;
	while (found < 0 && (e = readdir(d)) != NULL) {
		FILE *f;

		if (strncmp(e->d_name, base, bl) != 0 || e->d_name[bl] == '\0' ||
		    is_compressed(e->d_name) || strstr(e->d_name,
		    ".ship-state") != NULL)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (stat(p, &st) != 0 || !S_ISREG(st.st_mode) ||
		    st.st_ino == cur || st.st_size < c->off)
			continue;
		if ((f = fopen(p, "r")) == NULL)
			continue;
		if (st.st_ino == c->ino || (c->head != 0 && head_of(f) ==
		    c->head)) {
			out->f = f;
			out->ino = c->ino;	/* the ids stay the file's */
			out->head = c->head;
			out->off = c->off;
			found = 0;
			say("reading the rest of %s (rotated)", p);
		} else
			fclose(f);
	}
	closedir(d);
	return found;
}

/* Finish the old file c from its rotated copy, if one is found. */
static int
finish_rotated(struct ship *s, struct src *c, ino_t cur)
{
	struct src	 old;
	int		 rc;

	if (find_rotated(s, c, cur, &old) != 0)
		return 0;
	rc = drain(s, &old);
	fclose(old.f);
	return rc;
}

/* Open LOGFILE as the new current file, from its start. */
static int
open_new(struct ship *s, struct src *c)
{
	struct stat st;

	if ((c->f = fopen(s->path, "r")) == NULL)
		return -1;
	if (fstat(fileno(c->f), &st) != 0) {
		fclose(c->f);
		c->f = NULL;
		return -1;
	}
	c->ino = st.st_ino;
	c->head = head_of(c->f);
	c->off = 0;
	return 0;
}

static int
follow(struct ship *s)
{
	struct src		 c = { NULL, 0, 0, 0 };
	struct stat		 st, pst;
	unsigned long long	 sino;
	uint32_t		 shead;
	long long		 soff;

	/* Where the state left off. */
	while (open_new(s, &c) != 0) {
		if (s->once) {
			say("%s: %s", s->path, strerror(errno));
			return 1;
		}
		nap(s->interval);
		if (stop)
			return 0;
	}
	if (state_read(s, &sino, &shead, &soff) == 0) {
		fstat(fileno(c.f), &st);
		if ((ino_t)sino == c.ino && (shead == 0 || shead == c.head) &&
		    soff <= st.st_size)
			c.off = soff;
		else {
			struct src old = { NULL, (ino_t)sino, shead, soff };

			/* Rotated (or truncated) while not running. */
			if (finish_rotated(s, &old, c.ino) != 0)
				return 0;
		}
	}
	for (;;) {
		if (drain(s, &c) != 0 || stop)
			break;
		if (s->once)
			break;
		if ((fstat(fileno(c.f), &st) == 0 && st.st_size < c.off) ||
		    (c.head != 0 && head_of(c.f) != c.head)) {
			/* Truncated in place: the rest is in the copy. */
			say("%s truncated", s->path);
			if (finish_rotated(s, &c, (ino_t)-1) != 0)
				break;
			c.off = 0;
			c.head = 0;
			continue;
		}
		if (stat(s->path, &pst) == 0 && pst.st_ino != c.ino) {
			/* Renamed and created again: finish the old one. */
			if (drain(s, &c) != 0)
				break;
			say("%s rotated", s->path);
			fclose(c.f);
			c.f = NULL;
			while (open_new(s, &c) != 0 && !stop)
				nap(s->interval);
			if (stop)
				break;
			if (state_write(s, &c) != 0)
				break;
			continue;
		}
		if (c.head == 0)
			c.head = head_of(c.f);
		nap(s->interval);
		if (stop)
			break;
	}
	if (c.f != NULL)
		fclose(c.f);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: hangarctl jump-log ship [--state FILE] "
	    "[--batch N] [--interval MS] [--once] LOGFILE\n"
	    "  environment: HANGAR_URL, HANGAR_TOKEN or HANGAR_TOKEN_FILE, "
	    "HANGAR_SHIP_ID\n");
	exit(2);
}

static long
num(const char *s, long min, long max)
{
	char	*end;
	long	 v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

int
jumplog_main(int argc, char **argv)
{
	static char	 url[2048], token[512], statebuf[PATH_MAX];
	struct ship	 s;
	struct sigaction sa;
	const char	*base = getenv("HANGAR_URL"), *tok = getenv("HANGAR_TOKEN"),
			*tf = getenv("HANGAR_TOKEN_FILE"), *pre;
	int		 i, rc;

	memset(&s, 0, sizeof(s));
	s.batch = 1000;
	s.maxbytes = MAXBYTES;
	s.interval = 200;
	if (argc < 2 || strcmp(argv[1], "ship") != 0)
		usage();
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--state") == 0 && i + 1 < argc)
			s.state = argv[++i];
		else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc)
			s.batch = num(argv[++i], 1, MAXBATCH);
		else if (strcmp(argv[i], "--interval") == 0 && i + 1 < argc)
			s.interval = num(argv[++i], 10, 60000);
		else if (strcmp(argv[i], "--once") == 0)
			s.once = 1;
		else if (argv[i][0] == '-' || s.path != NULL)
			usage();
		else
			s.path = argv[i];
	}
	if (s.path == NULL)
		usage();
	if (s.state == NULL) {
		snprintf(statebuf, sizeof(statebuf), "%s.ship-state", s.path);
		s.state = statebuf;
	}
	if (base == NULL || *base == '\0') {
		fprintf(stderr, "hangarctl jump-log: HANGAR_URL is not set\n");
		return 2;
	}
	snprintf(url, sizeof(url), "%s%scommon-utils/jump-server-logs/", base,
	    base[strlen(base) - 1] == '/' ? "" : "/");
	s.url = url;
	if ((tok == NULL || *tok == '\0') && tf != NULL) {
		FILE *f = fopen(tf, "r");

		if (f == NULL || fgets(token, sizeof(token), f) == NULL) {
			fprintf(stderr, "hangarctl jump-log: cannot read %s\n", tf);
			if (f != NULL)
				fclose(f);
			return 2;
		}
		fclose(f);
		token[strcspn(token, "\r\n")] = '\0';
		tok = token;
	}
	if (tok == NULL || *tok == '\0') {
		fprintf(stderr, "hangarctl jump-log: HANGAR_TOKEN or "
		    "HANGAR_TOKEN_FILE is needed\n");
		return 2;
	}
	snprintf(s.auth, sizeof(s.auth), "Authorization: Token %s", tok);
	if ((pre = getenv("HANGAR_SHIP_ID")) != NULL && *pre != '\0')
		snprintf(s.prefix, sizeof(s.prefix), "%.40s", pre);
	else if (gethostname(s.prefix, 41) != 0)
		s.prefix[0] = '\0';
	s.prefix[40] = '\0';
	for (i = 0; s.prefix[i] != '\0'; i++)
		if ((unsigned char)s.prefix[i] <= 0x20 ||
		    (unsigned char)s.prefix[i] >= 0x7f || s.prefix[i] == ':')
			s.prefix[i] = '_';
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((s.curl = curl_easy_init()) == NULL)
		return 1;
	rc = follow(&s);
	curl_easy_cleanup(s.curl);
	curl_global_cleanup();
	return rc;
}
