/*
 * instance_logs.c -- an instance's log, read on its host
 * (GET /applications/{id}/instance/{iid}/log/, the seed's 实例日志).
 *
 * The file is the application's stdout_path (log_type=stdout) or
 * stderr_path (log_type=error), read over SFTP on the instance's host with
 * the host's SSH settings and credential, pinned host keys and all, as
 * hangar-agent connects (lib/ssh.c): no shell runs and no command line is
 * ever built from the request.  The whole read, connecting included, is
 * bounded by log_read_timeout (504 past it; 502 when the host cannot be
 * reached or SSH/SFTP fails; 404 when the file does not exist).
 *
 * Two modes.  bytes: block_size bytes (at most 1 MiB) from from_position,
 * or from from_last_position bytes before the end.  lines: `lines` lines
 * after the first from_lines (read forwards), or the latest_lines lines
 * before the last latest_lines_offset (read backwards from the end, a
 * block at a time, never the whole file); at most 10,000 lines and 1 MiB.
 * The file's size is taken once, when it is opened: a file that grows
 * while it is read is answered as it was then, and the next request (from
 * `position`) gets the rest.
 *
 * `length` is the number of the file's bytes the answer covers, so that
 * position = start + length; `content` is those bytes made well-formed
 * UTF-8 (lib/utf8.h), so it may differ from length when the file holds
 * ill-formed bytes.  A bytes block never ends inside a UTF-8 sequence
 * that the file completes later: the sequence is left to the next read.
 */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cmdb/cmdb.h"
#include "conf.h"
#include "secret.h"
#include "ssh.h"
#include "utf8.h"

#define LOG_BLOCK_MAX	(1024 * 1024)	/* block_size, and content in lines */
#define LOG_LINES_MAX	10000
#define LOG_SCAN	65536		/* bytes read at a time to find lines */
#define LOG_COUNT_MAX	1000000000LL	/* from_lines, latest_lines_offset */
#define LOG_POS_MAX	(1LL << 62)

/* The module's codes (as Zabbix's, host_status.c): upstream failed, slow. */
#define LOG_E_HOST	30001	/* 502 */
#define LOG_E_SLOW	30002	/* 504 */

static const char *const log_types[] = { "stdout", "error", NULL };
static const char *const log_modes[] = { "bytes", "lines", NULL };

enum { Q_TYPE, Q_MODE, Q_FROM, Q_FROM_LAST, Q_BLOCK, Q_LINES, Q_FROM_LINES,
	Q_LATEST, Q_LATEST_OFF, Q__MAX };
static const struct hg_field log_q[Q__MAX] = {
	[Q_TYPE] = { "log_type", HG_V_ENUM, HG_V_NOCASE, 0, 0, log_types },
	[Q_MODE] = { "mode", HG_V_ENUM, HG_V_NOCASE, 0, 0, log_modes },
	[Q_FROM] = { "from_position", HG_V_INT, 0, 0, LOG_POS_MAX },
	[Q_FROM_LAST] = { "from_last_position", HG_V_INT, 0, 0, LOG_POS_MAX },
	[Q_BLOCK] = { "block_size", HG_V_INT, 0, 1, LOG_BLOCK_MAX },
	[Q_LINES] = { "lines", HG_V_INT, 0, 1, LOG_LINES_MAX },
	[Q_FROM_LINES] = { "from_lines", HG_V_INT, 0, 0, LOG_COUNT_MAX },
	[Q_LATEST] = { "latest_lines", HG_V_INT, 0, 1, LOG_LINES_MAX },
	[Q_LATEST_OFF] = { "latest_lines_offset", HG_V_INT, 0, 0,
	    LOG_COUNT_MAX },
};

/*
 * Which parameters go together: each belongs to one mode (and, in lines
 * mode, to one direction).  A parameter of the other mode or direction,
 * or both positions, is a 400 naming it.
 */
enum group { G_ANY, G_BYTES, G_FWD, G_BACK };
static const enum group q_group[Q__MAX] = {
	[Q_FROM] = G_BYTES, [Q_FROM_LAST] = G_BYTES, [Q_BLOCK] = G_BYTES,
	[Q_LINES] = G_FWD, [Q_FROM_LINES] = G_FWD,
	[Q_LATEST] = G_BACK, [Q_LATEST_OFF] = G_BACK,
};

/* What one request reads. */
struct logread {
	struct hg_req	*l_r;
	struct hg_ssh	*l_ssh;
	const char	*l_host;
	long long	 l_size;	/* when opened */
	char		 l_err[512];
	char		*l_scan;	/* LOG_SCAN bytes */
};

/*
 * The failure of an SSH/SFTP step: 504 once the deadline has passed (or
 * the connection timed out), 502 otherwise.
 */
static int
ssh_fail(struct logread *l, int timed_out)
{
	if (timed_out || (l->l_ssh != NULL && hg_ssh_expired(l->l_ssh)))
		return hg_fail_http(l->l_r, 504, LOG_E_SLOW, "reading the log "
		    "on %s took longer than %ld s", l->l_host,
		    hg_conf.log_read_timeout);
	return hg_fail_http(l->l_r, 502, LOG_E_HOST, "%s", l->l_err);
}

/* Read [off, off + len) into buf (len ≤ what is left of l_size). */
static int
readat(struct logread *l, long long off, char *buf, size_t len)
{
	long long n;

	if ((n = hg_ssh_file_read(l->l_ssh, off, buf, len, l->l_err,
	    sizeof(l->l_err))) < 0)
		return ssh_fail(l, 0);
	if ((size_t)n != len)
		return hg_fail_http(l->l_r, 502, LOG_E_HOST, "the log on %s "
		    "shrank while it was read", l->l_host);
	return 0;
}

/*
 * How many bytes at the end of buf[0..len) begin a UTF-8 sequence that
 * would need more bytes than are there (0 if none).
 */
static size_t
cut_tail(const char *buf, size_t len)
{
	size_t	i, need;
	unsigned char c;

	for (i = 1; i <= 3 && i <= len; i++) {
		c = (unsigned char)buf[len - i];
		if ((c & 0xc0) == 0x80)
			continue;	/* a continuation byte: look further */
		need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		return need > i ? i : 0;
	}
	return 0;
}

/*
 * Lines after the first skip, counting n (or up to the content bound):
 * [*begin, *end) and how many lines it holds.  Read forwards.
 */
static int
lines_forward(struct logread *l, long long skip, long long n,
    long long *begin, long long *end, long long *nlines)
{
	long long	off = 0, got = 0, seen = 0, i, chunk;
	int		rc;

	*begin = skip == 0 ? 0 : -1;
	*nlines = 0;
	while (off < l->l_size) {
		chunk = l->l_size - off < LOG_SCAN ? l->l_size - off : LOG_SCAN;
		if ((rc = readat(l, off, l->l_scan, (size_t)chunk)) != 0)
			return rc;
		for (i = 0; i < chunk; i++) {
			if (*begin >= 0 && off + i + 1 - *begin > LOG_BLOCK_MAX) {
				/* Bound: stop at the last whole line. */
				if (got == 0) {
					*end = *begin + LOG_BLOCK_MAX;
					*nlines = 1;
				} else {
					*nlines = got;
				}
				return 0;
			}
			if (l->l_scan[i] != '\n')
				continue;
			if (*begin < 0) {
				if (++seen == skip)
					*begin = off + i + 1;
				continue;
			}
			*end = off + i + 1;
			if (++got == n) {
				*nlines = got;
				return 0;
			}
		}
		off += chunk;
	}
	if (*begin < 0 || *begin >= l->l_size) {
		/* Fewer than skip lines (or nothing after them). */
		*begin = *end = *begin < 0 ? l->l_size : *begin;
		*nlines = 0;
		return 0;
	}
	/* The file ends in a line without its newline: it counts. */
	if (got == 0 || *end < l->l_size) {
		*end = l->l_size;
		got++;
	}
	*nlines = got;
	return 0;
}

/*
 * The n lines before the last skip: [*begin, *end) and how many lines it
 * holds.  Read backwards from the end, LOG_SCAN bytes at a time.  A line
 * starts at 0 and after every newline but the file's last byte.
 */
static int
lines_backward(struct logread *l, long long skip, long long n,
    long long *begin, long long *end, long long *nlines)
{
	long long	hi, lo, i, seen = 0, last;
	int		rc;

	*begin = 0;
	*end = skip == 0 ? l->l_size : -1;
	*nlines = 0;
	last = *end;	/* the last line start found inside the bound */
	hi = l->l_size - 1;	/* the file's last byte is never a start */
	while (hi > 0) {
		lo = hi - LOG_SCAN > 0 ? hi - LOG_SCAN : 0;
		if ((rc = readat(l, lo, l->l_scan, (size_t)(hi - lo))) != 0)
			return rc;
		for (i = hi - 1; i >= lo; i--) {
			if (*end >= 0 && *end - (i + 1) > LOG_BLOCK_MAX) {
				/* Bound: from the last whole line inside it. */
				if (last == *end) {
					*begin = *end - LOG_BLOCK_MAX;
					*nlines = 1;
				} else {
					*begin = last;
					*nlines = seen - skip;
				}
				return 0;
			}
			if (l->l_scan[i - lo] != '\n')
				continue;
			seen++;
			if (seen == skip) {
				*end = last = i + 1;
			} else if (seen == skip + n) {
				*begin = i + 1;
				*nlines = n;
				return 0;
			} else if (seen > skip) {
				last = i + 1;
			}
		}
		hi = lo;
	}
	/* Reached the start: the first line begins at 0. */
	if (l->l_size == 0 || seen < skip) {
		*begin = *end = 0;
		*nlines = 0;
		return 0;
	}
	*begin = 0;
	*nlines = seen + 1 - skip;
	return 0;
}

/* Check the combination of parameters; 0 or a 400 naming the field. */
static int
check_params(struct hg_req *r, int lines)
{
	const struct hg_val	*q = r->r_qv;
	int			 i, fwd = 0, back = 0;

	if (q[Q_FROM].present && q[Q_FROM_LAST].present)
		return hg_invalid(r, "from_last_position", "cannot be used "
		    "with from_position");
	for (i = 0; i < Q__MAX; i++) {
		if (!q[i].present || q_group[i] == G_ANY)
			continue;
		if (!lines && q_group[i] != G_BYTES)
			return hg_invalid(r, log_q[i].f_name, "only in lines "
			    "mode (mode=lines)");
		if (lines && q_group[i] == G_BYTES)
			return hg_invalid(r, log_q[i].f_name, "only in bytes "
			    "mode");
		fwd |= q_group[i] == G_FWD;
		back |= q_group[i] == G_BACK;
		if (fwd && back)
			return hg_invalid(r, log_q[i].f_name, "cannot be used "
			    "with lines or from_lines (latest_lines reads "
			    "from the end, lines from the start)");
	}
	return 0;
}

/* Connect to the instance's host as the agent does, open the file. */
static int
open_log(struct logread *l, struct hg_rows *rs, const char *path)
{
	struct hg_req		*r = l->l_r;
	struct hg_ssh_target	 t;
	struct hg_rows		*cs;
	char			*key;
	double			 t0, used;
	struct timespec		 ts;
	long long		 cred = hg_atoll(HG_CELL(rs, 0, 3));
	int			 rc;

	t.t_name = l->l_host;
	t.t_addr = HG_CELL(rs, 0, 4);
	t.t_port = (int)hg_atoll(HG_CELL(rs, 0, 1));
	t.t_user = HG_CELL(rs, 0, 2);
	if (t.t_addr == NULL)
		return hg_fail_http(r, 502, LOG_E_HOST, "host %s has no "
		    "address", l->l_host);
	if (cred == 0)
		return hg_fail_http(r, 502, LOG_E_HOST, "host %s has no SSH "
		    "credential", l->l_host);
	if ((rc = hg_sql(r, &cs, "SELECT secret FROM credentials WHERE id = ?i "
	    "AND kind = 'ssh_key'", cred)) != 0)
		return rc;
	if (cs->nrows == 0 || (key = hg_unseal(r->r_arena, HG_CELL(cs, 0, 0)))
	    == NULL)
		return hg_fail_http(r, 502, LOG_E_HOST, "the SSH credential "
		    "of %s is missing or cannot be decrypted", l->l_host);
	t.t_key = key;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	l->l_ssh = hg_ssh_open(&t, (int)hg_conf.log_read_timeout,
	    hg_conf.known_hosts, l->l_err, sizeof(l->l_err));
	sodium_memzero(key, strlen(key));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	used = (double)ts.tv_sec + ts.tv_nsec / 1e9 - t0;
	if (l->l_ssh == NULL)
		return ssh_fail(l, used >= (double)hg_conf.log_read_timeout -
		    0.25);
	if (hg_ssh_deadline(l->l_ssh, (double)hg_conf.log_read_timeout -
	    used) != 0)
		return hg_fail(r, HG_E_INTERNAL, "cannot start the log "
		    "reader's watchdog");
	switch (hg_ssh_file_open(l->l_ssh, path, &l->l_size, l->l_err,
	    sizeof(l->l_err))) {
	case HG_SSH_FOK:
		return 0;
	case HG_SSH_NOFILE:
		return hg_fail(r, HG_E_NOTFOUND, "%s", l->l_err);
	default:
		return ssh_fail(l, 0);
	}
}

/*
 * GET /applications/{id}/instance/{iid}/log/: the instance's host, the
 * application's log path, then the read the parameters ask for.
 */
static int
instance_log(struct hg_req *r)
{
	const struct hg_val	*q = r->r_qv;
	struct logread		 l;
	struct hg_rows		*rs;
	json_object		*out;
	const char		*type, *path, *content;
	long long		 begin = 0, end = 0, nlines = -1, block;
	size_t			 clen;
	char			*buf;
	int			 lines, rc;

	lines = q[Q_MODE].present && strcmp(q[Q_MODE].s, "lines") == 0;
	if ((rc = check_params(r, lines)) != 0)
		return rc;
	type = q[Q_TYPE].present ? q[Q_TYPE].s : "stdout";
	if ((rc = hg_sql(r, &rs, "SELECT h.name, h.ssh_port, h.ssh_user, "
	    "h.credential_id, (SELECT address FROM host_addresses ha WHERE "
	    "ha.host_id = h.id ORDER BY ha.owner = 'HOST' DESC, ha.addr_type = "
	    "'PRIVATE' DESC, ha.is_virtual, ha.id LIMIT 1), a.stdout_path, "
	    "a.stderr_path FROM app_instances i JOIN hosts h ON h.id = "
	    "i.host_id JOIN applications a ON a.id = i.app_id WHERE i.id = ?i "
	    "AND i.app_id = ?i", r->r_ids[1], r->r_ids[0])) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no instance with id %lld",
		    r->r_ids[1]);
	path = HG_CELL(rs, 0, strcmp(type, "error") == 0 ? 6 : 5);
	if (path == NULL || *path == '\0')
		return hg_invalid(r, "log_type", strcmp(type, "error") == 0 ?
		    "the application has no stderr_path" :
		    "the application has no stdout_path");
	memset(&l, 0, sizeof(l));
	l.l_r = r;
	l.l_host = HG_CELL(rs, 0, 0);
	if ((rc = open_log(&l, rs, path)) != 0)
		goto done;
	if (!lines) {
		block = q[Q_BLOCK].present ? q[Q_BLOCK].i : 8192;
		if (q[Q_FROM_LAST].present)
			begin = l.l_size - q[Q_FROM_LAST].i;
		else
			begin = q[Q_FROM].present ? q[Q_FROM].i : 0;
		begin = begin < 0 ? 0 : begin > l.l_size ? l.l_size : begin;
		end = l.l_size - begin < block ? l.l_size : begin + block;
	} else {
		l.l_scan = hg_alloc(r->r_arena, LOG_SCAN);
		if (q[Q_LINES].present || q[Q_FROM_LINES].present)
			rc = lines_forward(&l, q[Q_FROM_LINES].present ?
			    q[Q_FROM_LINES].i : 0, q[Q_LINES].present ?
			    q[Q_LINES].i : 1000, &begin, &end, &nlines);
		else
			rc = lines_backward(&l, q[Q_LATEST_OFF].present ?
			    q[Q_LATEST_OFF].i : 0, q[Q_LATEST].present ?
			    q[Q_LATEST].i : 1000, &begin, &end, &nlines);
		if (rc != 0)
			goto done;
	}
	buf = hg_alloc(r->r_arena, (size_t)(end - begin) + 1);
	if ((rc = readat(&l, begin, buf, (size_t)(end - begin))) != 0)
		goto done;
	/* A sequence cut by the block's end is left to the next read. */
	if (!lines && end < l.l_size &&
	    (clen = cut_tail(buf, (size_t)(end - begin))) < (size_t)(end - begin))
		end -= (long long)clen;
	content = hg_utf8_repair(r->r_arena, buf, (size_t)(end - begin), &clen);
	out = hg_own(r, json_object_new_object());
	json_object_object_add(out, "content",
	    json_object_new_string_len(content, (int)clen));
	json_object_object_add(out, "length", json_object_new_int64(end -
	    begin));
	json_object_object_add(out, "total_length",
	    json_object_new_int64(l.l_size));
	json_object_object_add(out, "position", json_object_new_int64(end));
	if (lines)
		json_object_object_add(out, "lines",
		    json_object_new_int64(nlines));
	rc = hg_reply(r, 200, json_object_get(out));
done:
	hg_ssh_close(l.l_ssh);
	return rc;
}

const struct hg_route hg_routes_instance_logs[] = {
	ROUTE("GET", "/applications/{id}/instance/{iid}/log", instance_log,
	    PERM_APP("view_app_log"), QUERY(log_q)),
	ROUTES_END
};
