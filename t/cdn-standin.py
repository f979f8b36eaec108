#!/usr/bin/python3
"""cdn-standin.py -- a local stand-in for the three CDN purge APIs hangar
drives (lib/cdn.c), as strict as the vendors:

  Aliyun CDN   POST / form, Action RefreshObjectCaches | DescribeRefreshTasks,
               Version 2018-05-10, RPC signature V2 (HMAC-SHA1), nonce and
               Timestamp checked (cloud-standin.py's own checks)
  Tencent CDN  POST / with X-TC-Action PurgeUrlsCache | PurgePathCache |
               DescribePurgeTasks, X-TC-Version 2018-06-06, TC3-HMAC-SHA256
               with service "cdn" (cloud-standin.py's checks)
  Wangsu       POST /ccm/purge/ItemIdReceiver | /ccm/purge/ItemIdQuery with
               Date (within 5 minutes) and Authorization Basic
               user:Base64(HMAC-SHA1(apiKey, Date))

Each vendor's per-call limits are enforced (Aliyun 1000 URLs or 100
directories and 10 domains, Tencent 1000 URLs or 500 paths, Wangsu 500),
as are URL shapes (http(s)://, directories end in "/").  Facts:
shared/reference/external-apis.md 1.4, 2.3, 4.

Usage: cdn-standin.py [--port N] [--port-file F] --key ID:SECRET...

Control (JSON over HTTP, used by the tests):
  POST /_standin/config {"delay": s, "mode": "ok"|"fail"|"hang"|"reject",
                         "code": vendor code for reject, "throttle": N,
                         "skew": s}
        delay: seconds a purge takes; fail: tasks end failed; hang: they
        never end; reject: submissions are refused with code; throttle: the
        next N calls (any kind) get the vendor's rate-limit answer
  GET  /_standin/log     [{"vendor", "action", "n", "hosts", "code"}, ...]
  POST /_standin/reset   forget tasks, nonces, the log and the config
The log never holds a secret.
"""

import argparse
import base64
import calendar
import hashlib
import hmac
import importlib.util
import json
import os
import sys
import threading
import time
import urllib.parse
import uuid
from email.utils import parsedate_tz
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "cloud_standin", os.path.join(HERE, "cloud-standin.py"))
cs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cs)

DEFAULT = {"delay": 0.5, "mode": "ok", "code": None, "throttle": 0}
CONF = dict(DEFAULT)
TASKS = {}          # vendor task id -> {"vendor", "urls", "t", "mode"}
LOG = []
LOCK = threading.Lock()


def log(vendor, action, n, hosts, code):
    LOG.append({"vendor": vendor, "action": action, "n": n, "hosts": hosts,
                "code": code})


def throttled():
    with LOCK:
        if CONF["throttle"] > 0:
            CONF["throttle"] -= 1
            return True
    return False


def new_task(vendor, urls):
    tid = str(uuid.uuid4().int % 10 ** 12)
    with LOCK:
        TASKS[tid] = {"vendor": vendor, "urls": urls, "t": time.time(),
                      "mode": CONF["mode"], "delay": CONF["delay"]}
    return tid


def state(task):
    """'process', 'done' or 'fail' as time passes."""
    if task["mode"] == "hang" or time.time() < task["t"] + task["delay"]:
        return "process"
    return "fail" if task["mode"] == "fail" else "done"


def bad_urls(urls, dirs):
    for u in urls:
        if not isinstance(u, str) or not (u.startswith("http://") or
                                          u.startswith("https://")):
            return "URL must start with http:// or https://: %r" % (u,)
        if len(u) > 2000 or any(ord(c) <= 0x20 or ord(c) >= 0x7f
                                for c in u):
            return "URL is too long or not encoded: %r" % (u,)
        if dirs and not u.endswith("/"):
            return "directory must end with /: %r" % (u,)
    return None


def hosts_of(urls):
    return len({urllib.parse.urlsplit(u).netloc.lower() for u in urls})


# ---- Aliyun CDN ---------------------------------------------------------

def ali_error(h, status, code, message):
    return h.reply(status, {"RequestId": str(uuid.uuid4()).upper(),
                            "HostId": "cdn.aliyuncs.com", "Code": code,
                            "Message": message})


def aliyun(h, p):
    action = p.get("Action", "")
    err = cs.ali_check(h, p)
    if err is not None:
        log("aliyun", action, 0, 0, err[1])
        return ali_error(h, *err)
    if p.get("Version") != "2018-05-10":
        log("aliyun", action, 0, 0, "InvalidVersion")
        return ali_error(h, 400, "InvalidVersion",
                         "Specified parameter Version is not valid.")
    if throttled():
        log("aliyun", action, 0, 0, "Throttling.User")
        return ali_error(h, 400, "Throttling.User",
                         "Request was denied due to user flow control.")
    if action == "RefreshObjectCaches":
        paths = [x for x in p.get("ObjectPath", "").replace("\r\n", "\n")
                 .split("\n") if x]
        kind = p.get("ObjectType", "File")
        code = None
        if not paths:
            code = ("MissingParameter", "ObjectPath is mandatory.")
        elif kind not in ("File", "Directory"):
            code = ("InvalidObjectType.ValueNotSupported",
                    "The specified ObjectType is not supported.")
        elif len(paths) > (100 if kind == "Directory" else 1000) or \
                hosts_of(paths) > 10:
            code = ("InvalidObjectPath.ExceedLimit",
                    "Too many paths or domains in one request.")
        elif bad_urls(paths, kind == "Directory"):
            code = ("InvalidObjectPath.Malformed",
                    bad_urls(paths, kind == "Directory"))
        elif CONF["mode"] == "reject":
            code = (CONF["code"] or "QuotaExceeded.Refresh",
                    "Refresh quota of the day is exhausted.")
        log("aliyun", action, len(paths), hosts_of(paths),
            code[0] if code else None)
        if code:
            return ali_error(h, 400, *code)
        tid = new_task("aliyun", paths)
        return h.reply(200, {"RefreshTaskId": tid,
                             "RequestId": str(uuid.uuid4()).upper()})
    if action == "DescribeRefreshTasks":
        task = TASKS.get(p.get("TaskId", ""))
        log("aliyun", action, 0, 0, None)
        out = []
        if task is not None and task["vendor"] == "aliyun":
            st = {"process": "Refreshing", "done": "Complete",
                  "fail": "Failed"}[state(task)]
            out = [{"TaskId": p["TaskId"], "ObjectPath": u, "Status": st,
                    "Process": "100%" if st == "Complete" else "50%",
                    "ObjectType": "file"} for u in task["urls"]]
        return h.reply(200, {"Tasks": {"CDNTask": out},
                             "TotalCount": len(out), "PageNumber": 1,
                             "PageSize": 20,
                             "RequestId": str(uuid.uuid4()).upper()})
    log("aliyun", action, 0, 0, "InvalidAction.NotFound")
    return ali_error(h, 400, "InvalidAction.NotFound",
                     "Specified api is not found.")


# ---- Tencent CDN --------------------------------------------------------

def tencent(h, body):
    action = h.headers.get("X-TC-Action", "")
    err, service = cs.tc_check(h, body)
    if err is None and service != "cdn":
        err = ("AuthFailure.InvalidAuthorization",
               "Credential scope service must be cdn.")
    if err is None and h.headers.get("X-TC-Version") != "2018-06-06":
        err = ("InvalidParameter", "The version is not supported.")
    if err is not None:
        log("tencent", action, 0, 0, err[0])
        return cs.tc_error(h, *err)
    try:
        req = json.loads(body.decode("utf-8"))
        if not isinstance(req, dict):
            raise ValueError
    except ValueError:
        log("tencent", action, 0, 0, "InvalidParameter")
        return cs.tc_error(h, "InvalidParameter", "Body is not JSON.")
    if throttled():
        log("tencent", action, 0, 0, "RequestLimitExceeded")
        return cs.tc_error(h, "RequestLimitExceeded",
                           "The number of requests exceeds the frequency "
                           "limit.")
    rid = str(uuid.uuid4())
    if action in ("PurgeUrlsCache", "PurgePathCache"):
        dirs = action == "PurgePathCache"
        urls = req.get("Paths" if dirs else "Urls")
        code = None
        if not isinstance(urls, list) or not urls:
            code = ("MissingParameter", "Urls/Paths is required.")
        elif len(urls) > (500 if dirs else 1000):
            code = ("InvalidParameter.CdnUrlExceedLimit" if not dirs else
                    "InvalidParameter.CdnPathExceedLimit",
                    "Too many URLs in one request.")
        elif dirs and req.get("FlushType") not in ("flush", "delete"):
            code = ("MissingParameter", "FlushType must be flush or delete.")
        elif bad_urls(urls, dirs):
            code = ("InvalidParameter.CdnUrlInvalid", bad_urls(urls, dirs))
        elif CONF["mode"] == "reject":
            code = (CONF["code"] or "LimitExceeded.CdnPurgeUrlExceedBatchLimit",
                    "The daily purge quota is exhausted.")
        log("tencent", action, len(urls) if isinstance(urls, list) else 0,
            hosts_of(urls) if isinstance(urls, list) and not code else 0,
            code[0] if code else None)
        if code:
            return cs.tc_error(h, *code)
        tid = new_task("tencent", urls)
        return h.reply(200, {"Response": {"TaskId": tid, "RequestId": rid}})
    if action == "DescribePurgeTasks":
        task = TASKS.get(req.get("TaskId", ""))
        log("tencent", action, 0, 0, None)
        logs = []
        if task is not None and task["vendor"] == "tencent":
            logs = [{"TaskId": req["TaskId"], "Url": u, "Status": state(task),
                     "PurgeType": "url", "FlushType": "flush",
                     "CreateTime": "2026-01-01 00:00:00"}
                    for u in task["urls"]]
        return h.reply(200, {"Response": {"PurgeLogs": logs,
                                          "TotalCount": len(logs),
                                          "RequestId": rid}})
    log("tencent", action, 0, 0, "InvalidAction")
    return cs.tc_error(h, "InvalidAction", "The action does not exist.")


# ---- Wangsu -------------------------------------------------------------

def ws_check(h):
    """None when authentic, else (status, message)."""
    date = h.headers.get("Date") or h.headers.get("x-cnc-date")
    auth = h.headers.get("Authorization", "")
    if not date or not auth.startswith("Basic "):
        return 401, "authentication required"
    t = parsedate_tz(date)
    if t is None or not date.endswith(" GMT"):
        return 401, "Date is invalid"
    if abs(cs.now() - calendar.timegm(t[:9])) > 300:
        return 401, "Date is expired"
    try:
        user, _, pw = base64.b64decode(auth[6:], validate=True).decode() \
            .partition(":")
    except ValueError:
        return 401, "authorization is invalid"
    key = cs.KEYS.get(user)
    if key is None:
        return 401, "username is invalid"
    want = base64.b64encode(hmac.new(key.encode(), date.encode(),
                                     hashlib.sha1).digest()).decode()
    if not hmac.compare_digest(want, pw):
        return 401, "authentication failure"
    if not h.headers.get("Content-Type", "").startswith("application/json"):
        return 400, "parse json/xml error"
    return None


def wangsu(h, path, body):
    action = path.rsplit("/", 1)[-1]
    err = ws_check(h)
    if err is not None:
        log("wangsu", action, 0, 0, err[1])
        return h.reply(err[0], {"Code": 0, "Message": err[1]})
    try:
        req = json.loads(body.decode("utf-8"))
        if not isinstance(req, dict):
            raise ValueError
    except ValueError:
        log("wangsu", action, 0, 0, "parse json/xml error")
        return h.reply(400, {"Code": 0, "Message": "parse json/xml error"})
    if throttled():
        log("wangsu", action, 0, 0, "429")
        return h.reply(429, {"Code": 0, "Message": "request frequency "
                             "exceeds the limit"})
    if action == "ItemIdReceiver":
        urls = req.get("urls") or []
        dirs = req.get("dirs") or []
        msg = None
        if not isinstance(urls, list) or not isinstance(dirs, list) or \
                not (urls or dirs):
            msg = "urls and dirs cannot both be empty"
        elif len(urls) + len(dirs) > 500:
            msg = "more than 500 urls and dirs in one request"
        elif bad_urls(urls, False) or bad_urls(dirs, True):
            msg = bad_urls(urls, False) or bad_urls(dirs, True)
        elif urls and req.get("urlAction", "default") not in \
                ("default", "delete", "expire"):
            msg = "urlAction is invalid"
        elif dirs and req.get("dirAction", "expire") != "expire":
            msg = "dirAction is invalid"
        elif CONF["mode"] == "reject":
            msg = CONF["code"] or "exceed the daily purge quota"
        ok = isinstance(urls, list) and isinstance(dirs, list)
        log("wangsu", action, len(urls) + len(dirs) if ok else 0,
            hosts_of(urls + dirs) if ok and not msg else 0, msg)
        if msg:
            return h.reply(200, {"Code": 0, "Message": msg})
        tid = new_task("wangsu", urls + dirs)
        return h.reply(200, {"Code": 1, "Message": "handle success",
                             "itemId": tid})
    if action == "ItemIdQuery":
        task = TASKS.get(req.get("itemId", ""))
        log("wangsu", action, 0, 0, None)
        if task is None or task["vendor"] != "wangsu":
            return h.reply(200, {"Code": 0, "Message": "itemId not found"})
        st = {"process": "PROGRESS", "done": "SUCCESS",
              "fail": "FAIL"}[state(task)]
        return h.reply(200, {"Code": 1, "Message": "success", "resultList":
                             [{"url": u, "status": st} for u in
                              task["urls"]]})
    log("wangsu", action, 0, 0, "not found")
    return h.reply(404, {"Code": 0, "Message": "not found"})


# ---- control and dispatch ----------------------------------------------

def control(h, path, body):
    with LOCK:
        if path == "/_standin/config" and h.command == "POST":
            c = json.loads(body or b"{}")
            if "skew" in c:
                cs.CONF["skew"] = c.pop("skew")
            CONF.update(c)
            return h.reply(200, CONF)
        if path == "/_standin/log":
            return h.reply(200, LOG)
        if path == "/_standin/reset" and h.command == "POST":
            TASKS.clear()
            cs.NONCES.clear()
            del LOG[:]
            CONF.clear()
            CONF.update(DEFAULT)
            cs.CONF["skew"] = 0
            return h.reply(200, {})
    return h.reply(404, {"error": "no such control path"})


class Handler(cs.Handler):
    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/_standin/"):
            return control(self, url.path, body)
        if self.command != "POST":
            return self.reply(405, {"error": "POST only"})
        if url.path.startswith("/ccm/purge/"):
            return wangsu(self, url.path, body)
        if "X-TC-Action" in self.headers:
            return tencent(self, body)
        if url.path == "/":
            ct = self.headers.get("Content-Type", "")
            if not ct.startswith("application/x-www-form-urlencoded"):
                return ali_error(self, 400, "InvalidParameter",
                                 "POST needs a form body.")
            return aliyun(self, self.params(url.query, body.decode()))
        return self.reply(404, {"error": "not found"})

    do_GET = handle_any
    do_POST = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--key", action="append", default=[])
    a = ap.parse_args()
    for k in a.key:
        ident, _, secret = k.partition(":")
        cs.KEYS[ident] = secret
    srv = cs.Server(("127.0.0.1", a.port), Handler)
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
