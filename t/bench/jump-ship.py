#!/usr/bin/env python3
"""t/bench/jump-ship.py URL TOKEN LINES [START [IDPREFIX [BATCH]]] -- ship
LINES generated bastion commands to POST URL (the jump log's ingestion) as
TOKEN, BATCH lines a request (default 5000), two clients at once (CLIENTS
in the environment for another number).  Line i
is created at START + i // 100 (Unix seconds; default: now - LINES // 100,
so the newest is about now) with the client id IDPREFIX:i (default "b").

With PREBUILD=1 in the environment, every request's body is made before
the first is sent, and the last line printed is "sent N lines in S
seconds": the server's rate, without this script's own work of making
lines (a bastion's forwarder does that on the bastion, not on the
machine Hangar runs on).  Used by jump-ingest.sh (PREBUILD), jump-logs.sh
and jump-purge.sh.  One in about six lines carries a
token of its own (a container id, a commit hash, an upload folder) so the
dictionary of words grows as a real one does; every 1,000th line is a
`kubectl rollout restart deployment/payments-gateway ...` (the word
"payments" is in 0.1% of the lines and nowhere else).
"""
import http.client, json, os, random, sys, threading, time, urllib.parse

url, token, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
start = int(sys.argv[4]) if len(sys.argv) > 4 else int(time.time()) - total // 100
prefix = sys.argv[5] if len(sys.argv) > 5 else "b"
u = urllib.parse.urlparse(url)
apps = ["billing", "orders", "search", "auth", "cart", "catalog", "mail",
        "report", "gateway", "inventory", "shipping", "profile"]
svcs = ["nginx", "mysql", "redis", "docker", "kubelet", "sshd", "cron",
        "php-fpm", "haproxy", "postfix"]
files = ["error", "access", "app", "debug", "slow", "audit"]
def cmd(r, i):
    if i % 1000 == 500:
        return ("kubectl rollout restart deployment/payments-gateway -n prod-%d"
                % r.randint(1, 9))
    a, s = r.choice(apps), r.choice(svcs)
    k = r.randrange(16)
    if k == 0: return "cd /var/www/%s/releases/2026%04d" % (a, r.randint(101, 1231))
    if k == 1: return "tail -n %d /var/log/%s/%s.log" % (r.randint(10, 5000), a, r.choice(files))
    if k == 2: return "sudo systemctl restart %s" % s
    if k == 3: return "grep -ri timeout /etc/%s/ | grep -v '#'" % s
    if k == 4: return "kubectl get pods -n %s-%d -o wide" % (a, r.randint(1, 40))
    if k == 5: return "docker logs --tail %d %012x" % (r.randint(10, 999), r.getrandbits(48))
    if k == 6: return "vim /etc/%s/conf.d/%s.conf" % (s, a)
    if k == 7: return "ps aux | grep %s | grep -v grep" % s
    if k == 8: return "ssh host-%04d.dc%d.example.com" % (r.randint(1, 5000), r.randint(1, 4))
    if k == 9: return "mysql -u %s_ro -p -h db-%03d -e 'show processlist'" % (a, r.randint(1, 200))
    if k == 10: return "git checkout %07x && git pull origin release/%d.%d" % (r.getrandbits(28), r.randint(1, 9), r.randint(0, 40))
    if k == 11: return "ls -la /data/%s/2026-%02d-%02d" % (a, r.randint(1, 12), r.randint(1, 28))
    if k == 12: return "curl -s http://10.%d.%d.%d:%d/health" % (r.randint(0, 255), r.randint(0, 255), r.randint(1, 254), r.choice([80, 8080, 9090, 3000]))
    if k == 13: return "scp %s-%d.tar.gz host-%04d:/tmp/upload_%d/" % (a, r.randint(1, 999), r.randint(1, 5000), r.getrandbits(40))
    if k == 14: return "df -h; free -m; uptime"
    return "journalctl -u %s --since '%d min ago' | less" % (s, r.randint(1, 120))

BATCH = int(sys.argv[6]) if len(sys.argv) > 6 else 5000
lock = threading.Lock()
state = {"next": 0, "err": None, "retries": 0}
def make(r, lo):
    hi = min(lo + BATCH, total)
    return json.dumps([{"id": "%s:%d" % (prefix, i), "user": "ops%d" % r.randrange(40),
        "host": "bastion-%d" % r.randrange(4), "text": cmd(r, i),
        "created_time": start + i // 100} for i in range(lo, hi)])

PREBUILD = os.environ.get("PREBUILD") == "1"
bodies = {}
if PREBUILD:
    r0 = random.Random(7)
    for lo in range(0, total, BATCH):
        bodies[lo] = make(r0, lo)

def worker(seed):
    r = random.Random(seed)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
    hdr = {"Content-Type": "application/json", "Authorization": "Token " + token}
    while True:
        with lock:
            lo = state["next"]
            if lo >= total or state["err"]:
                return
            state["next"] = lo + BATCH
        body = bodies.pop(lo) if PREBUILD else make(r, lo)
        for attempt in range(20):
            c.request("POST", u.path, body, hdr)
            resp = c.getresponse()
            data = resp.read()
            if resp.status == 201:
                break
            if resp.status not in (409, 503):
                # a 500 is a bug to see, not to retry past
                state["err"] = "%d %s" % (resp.status, data[:200])
                return
            # the same ids being stored by the other client (409), or a
            # deadlock between the two (503): retry, and say so
            with lock:
                state["retries"] += 1
            time.sleep(0.2)
        else:
            state["err"] = "%d %s" % (resp.status, data[:200])
            return
ts = [threading.Thread(target=worker, args=(n,)) for n in range(int(os.environ.get("CLIENTS", "2")))]
t0 = time.monotonic()
for t in ts: t.start()
for t in ts: t.join()
if state["err"]:
    sys.exit("ingestion: " + state["err"])
if state["retries"]:
    print("%d requests retried (409 or 503)" % state["retries"], file=sys.stderr)
if PREBUILD:
    print("sent %d lines in %.3f seconds" % (total, time.monotonic() - t0))
