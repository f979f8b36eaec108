/*
 * dns_apply.c -- the dns_apply task: put an approved domain request's
 * records on the DNS servers of the domains Hangar manages (API.md section
 * 5, issue 14).  hangard queues it (src/hangard/dns/apply.c) when a domain
 * request is approved and when an approver asks again (POST
 * /resource-request/domains/{id}/actions/apply/); opts {"request_id": N}.
 *
 * For each record of the request not applied yet: the managed domain
 * whose name is the longest suffix of the record's name is found, the
 * record is written to dns_records and its RRset sent to that domain's
 * server (lib/dns.h, bounded by dns_timeout) in one transaction holding
 * the domain's row, as hangard's records.c does; the request's record
 * gets 'applied' and the record_id, or 'failed' and why.  When every
 * record is applied the request becomes 'finished' (apply_status
 * 'applied'); otherwise it stays 'approved' with apply_status 'failed' and
 * the first error in apply_error, for the approver to retry.  Running it
 * twice is harmless: applied records are skipped, and a record already in
 * the domain counts as applied.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "agent.h"
#include "conf.h"
#include "dns.h"
#include "secret.h"

/* The server of domain did as lib/dns.h wants it. */
static int
server_of(struct hg_db *db, struct hg_arena *a, long long sid,
    struct hg_dns_server *sv, char *msg, size_t msglen)
{
	struct hg_rows	*rs;
	const char	*k;

	if (hg_db_query(db, a, &rs, "SELECT type, api_endpoint, api_key, "
	    "dns_address, tsig_key_name, tsig_algorithm, tsig_secret FROM "
	    "dns_servers WHERE id = ?", "i", sid) != 0 || rs->nrows == 0) {
		snprintf(msg, msglen, "the DNS server could not be read");
		return -1;
	}
	memset(sv, 0, sizeof(*sv));
	sv->sv_type = hg_dns_type_parse(HG_CELL(rs, 0, 0)) == HG_DNS_BIND ?
	    HG_DNS_BIND : HG_DNS_POWERDNS;
	sv->sv_api_endpoint = HG_CELL(rs, 0, 1);
	if ((k = HG_CELL(rs, 0, 2)) != NULL)
		sv->sv_api_key = hg_unseal(a, k);
	sv->sv_dns_address = HG_CELL(rs, 0, 3);
	sv->sv_tsig_key_name = HG_CELL(rs, 0, 4);
	sv->sv_tsig_algorithm = HG_CELL(rs, 0, 5);
	if ((k = HG_CELL(rs, 0, 6)) != NULL)
		sv->sv_tsig_secret = hg_unseal(a, k);
	sv->sv_timeout_ms = hg_conf.dns_timeout;
	return 0;
}

/*
 * Apply one requested record; 0 with *rid set, or -1 with msg.  Runs its
 * own transaction.
 */
static int
apply_one(struct hg_db *db, struct hg_arena *a, const char *op,
    const char *name, const char *type, const char *value, const char *ttl,
    long long *rid, char *msg, size_t msglen)
{
	struct hg_rows		*rs, *dom;
	struct hg_dns_server	 sv;
	struct hg_dns_change	 ch;
	struct hg_dns_rr	*rr;
	const char		*zone;
	long long		 did, t;
	int			 i, rc;

	if (hg_db_begin(db) != 0) {
		snprintf(msg, msglen, "the database is unavailable");
		return -1;
	}
	if (hg_db_query(db, a, &dom, "SELECT d.id, d.name, d.server_id FROM "
	    "dns_domains d WHERE ? = d.name OR RIGHT(?, LENGTH(d.name) + 1) = "
	    "CONCAT('.', d.name) "
	    "ORDER BY LENGTH(d.name) DESC, d.id LIMIT 1 FOR UPDATE", "ss",
	    name, name) != 0)
		goto dberr;
	if (dom->nrows == 0) {
		snprintf(msg, msglen, "no domain managed by Hangar covers %s",
		    name);
		goto fail;
	}
	did = hg_atoll(HG_CELL(dom, 0, 0));
	zone = HG_CELL(dom, 0, 1);
	if (server_of(db, a, hg_atoll(HG_CELL(dom, 0, 2)), &sv, msg,
	    msglen) != 0)
		goto fail;
	if (hg_db_query(db, a, &rs, "SELECT id, type, value, ttl FROM "
	    "dns_records WHERE domain_id = ? AND name = ?", "is", did,
	    name) != 0)
		goto dberr;
	t = ttl != NULL ? hg_atoll(ttl) : 0;
	for (i = 0; i < rs->nrows; i++) {
		const char *rt = HG_CELL(rs, i, 1), *rv = HG_CELL(rs, i, 2);

		if (strcmp(rt, type) == 0 && strcmp(rv, value) == 0) {
			*rid = hg_atoll(HG_CELL(rs, i, 0));	/* there */
			hg_db_rollback(db);
			return 0;
		}
		if (strcmp(type, "CNAME") == 0 || strcmp(rt, "CNAME") == 0) {
			snprintf(msg, msglen, "%s: a CNAME cannot stand beside "
			    "other records (%s %s is there)", name, rt, rv);
			goto fail;
		}
		if (strcmp(rt, type) == 0 && t == 0)
			t = hg_atoll(HG_CELL(rs, i, 3));
	}
	if (strcmp(type, "CNAME") == 0 && strcmp(name, zone) == 0) {
		snprintf(msg, msglen, "%s: a CNAME cannot be at the domain's "
		    "apex", name);
		goto fail;
	}
	if (t <= 0)
		t = hg_conf.dns_default_ttl;
	if (hg_db_exec(db, "INSERT INTO dns_records (domain_id, name, type, "
	    "value, ttl, creator) VALUES (?, ?, ?, ?, ?, 'hangar-agent')",
	    "isssi", did, name, type, value, t) != 0)
		goto dberr;
	*rid = (long long)hg_db_insert_id(db);
	if (hg_db_exec(db, "UPDATE dns_records SET ttl = ? WHERE domain_id = "
	    "? AND name = ? AND type = ?", "iiss", t, did, name, type) != 0 ||
	    hg_db_exec(db, "INSERT INTO audit_log (kind, op_type, target_id, "
	    "target_name, op_detail, operator) VALUES ('dns_record', 'add', ?, "
	    "?, ?, ?)", "isss", *rid, name, hg_printf(a, "added record %s %s "
	    "%s (ttl %lld) to domain %s for an approved domain request",
	    name, type, value, t, zone), op) != 0 ||
	    hg_db_query(db, a, &rs, "SELECT value, disabled FROM dns_records "
	    "WHERE domain_id = ? AND name = ? AND type = ? ORDER BY id", "iss",
	    did, name, type) != 0)
		goto dberr;
	rr = hg_alloc(a, (rs->nrows + 1) * sizeof(*rr));
	for (i = 0; i < rs->nrows; i++) {
		rr[i].rr_value = HG_CELL(rs, i, 0);
		rr[i].rr_disabled = hg_atoll(HG_CELL(rs, i, 1)) != 0;
	}
	memset(&ch, 0, sizeof(ch));
	ch.ch_op = HG_DNS_REPLACE;
	ch.ch_rrset.rs_name = name;
	ch.ch_rrset.rs_type = type;
	ch.ch_rrset.rs_ttl = (unsigned)t;
	ch.ch_rrset.rs_n = (size_t)rs->nrows;
	ch.ch_rrset.rs_rr = rr;
	if ((rc = hg_dns_update(&sv, zone, &ch, 1, msg, msglen)) != 0)
		goto fail;
	if (hg_db_commit(db) != 0) {
		snprintf(msg, msglen, "the database could not commit");
		return -1;
	}
	return 0;
dberr:
	snprintf(msg, msglen, "the database is unavailable");
fail:
	hg_db_rollback(db);
	return -1;
}

/*
 * dns_apply -- run the task's request.  Returns 0 when every record is
 * on its server (the request is finished), 1 when some failed (msg says
 * the first), -1 when MySQL is away (try again later).
 */
int
dns_apply(struct hg_db *db, struct hg_arena *a, const char *opts, char *msg,
    size_t msglen)
{
	struct hg_rows	*rs, *recs;
	json_object	*j, *v;
	long long	 req = 0, rid;
	const char	*op = "hangar-agent";
	char		 err[512];
	int		 i, failed = 0;

	msg[0] = '\0';
	if ((j = json_tokener_parse(opts)) != NULL) {
		if (json_object_object_get_ex(j, "request_id", &v))
			req = json_object_get_int64(v);
		json_object_put(j);
	}
	if (req <= 0) {
		snprintf(msg, msglen, "the task names no request");
		return 1;
	}
	if (hg_db_query(db, a, &rs, "SELECT r.status, u.username FROM "
	    "resource_requests r LEFT JOIN users u ON u.id = r.reviewer_id "
	    "WHERE r.id = ? AND r.kind = 'domain'", "i", req) != 0)
		return -1;
	if (rs->nrows == 0 || strcmp(HG_CELL(rs, 0, 0), "approved") != 0) {
		snprintf(msg, msglen, "domain request %lld is not approved",
		    req);
		return 1;
	}
	if (HG_CELL(rs, 0, 1) != NULL)
		op = HG_CELL(rs, 0, 1);
	if (hg_db_exec(db, "UPDATE domain_requests SET apply_status = "
	    "'applying' WHERE request_id = ?", "i", req) != 0 ||
	    hg_db_query(db, a, &recs, "SELECT id, name, type, value, ttl FROM "
	    "domain_request_records WHERE request_id = ? AND apply_status <> "
	    "'applied' ORDER BY id", "i", req) != 0)
		return -1;
	for (i = 0; i < recs->nrows; i++) {
		long long id = hg_atoll(HG_CELL(recs, i, 0));

		if (apply_one(db, a, op, HG_CELL(recs, i, 1),
		    HG_CELL(recs, i, 2), HG_CELL(recs, i, 3),
		    HG_CELL(recs, i, 4), &rid, err, sizeof(err)) == 0) {
			if (hg_db_exec(db, "UPDATE domain_request_records SET "
			    "apply_status = 'applied', apply_error = '', "
			    "record_id = ? WHERE id = ?", "ii", rid, id) != 0)
				return -1;
			continue;
		}
		if (!failed++)
			snprintf(msg, msglen, "%s", err);
		if (hg_db_exec(db, "UPDATE domain_request_records SET "
		    "apply_status = 'failed', apply_error = ? WHERE id = ?",
		    "si", err, id) != 0)
			return -1;
	}
	if (failed) {
		if (hg_db_exec(db, "UPDATE domain_requests SET apply_status = "
		    "'failed', apply_error = ? WHERE request_id = ?", "si", msg,
		    req) != 0)
			return -1;
		return 1;
	}
	if (hg_db_begin(db) != 0 ||
	    hg_db_exec(db, "UPDATE domain_requests SET apply_status = "
	    "'applied', apply_error = '', applied_time = UTC_TIMESTAMP() "
	    "WHERE request_id = ?", "i", req) != 0 ||
	    hg_db_exec(db, "UPDATE resource_requests SET status = 'finished', "
	    "finished_time = UTC_TIMESTAMP() WHERE id = ? AND status = "
	    "'approved'", "i", req) != 0 || hg_db_commit(db) != 0) {
		hg_db_rollback(db);
		return -1;
	}
	snprintf(msg, msglen, "every record of domain request %lld is on its "
	    "DNS server", req);
	return 0;
}
