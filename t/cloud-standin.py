#!/usr/bin/python3
"""cloud-standin.py -- a local stand-in for the three cloud APIs hangar drives.

One HTTP server on 127.0.0.1 answers, by the shape of each request:
  Aliyun ECS      GET /?Action=...            RPC, signature V2 (HMAC-SHA1)
  Tencent CVM/BM  POST / with X-TC-Action     API 3.0, TC3-HMAC-SHA256
  CloudStack      GET|POST /client/api        HMAC-SHA1 over the sorted query
Every request's signature is recomputed from the request as the vendor
documents it (shared/reference/external-apis.md 1-3) and refused with the
vendor's error code and body when it does not match, when the key is unknown
or when the timestamp is stale.  Instances keep a state (running, stopped and
the transitional ones); a transition takes `delay` seconds, and an instance
can be told to fail (sync: the action is refused; async: the job fails) or to
hang (the transition never ends).

Usage: cloud-standin.py [--port N] [--port-file F] [--log F] --key ID:SECRET...
Port 0 picks a free port; --port-file gets the port once it listens.

Control, JSON over HTTP (used by the tests):
  POST /_standin/instance  {"id", "state": "running"|"stopped", "region",
                            "delay": s, "fail": null|"sync"|"async",
                            "code": vendor error code, "hang": bool}
  GET  /_standin/instance?id=ID   {"id", "state", ...}
  POST /_standin/config    {"skew": s}  the stand-in's clock runs s ahead
  GET  /_standin/log       [{"vendor", "action", "instance", "code"}, ...]
  POST /_standin/reset     forget instances, tasks, nonces and the log
The log never holds a secret; --log also appends each entry as a JSON line.
"""

import argparse
import base64
import calendar
import hashlib
import hmac
import json
import os
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEYS = {}           # access key -> secret
INSTANCES = {}      # id -> dict
TASKS = {}          # CPM TaskId / CloudStack jobid -> dict
NONCES = set()
LOG = []
CONF = {"skew": 0}
LOCK = threading.Lock()
LOGFILE = None
NEXT_TASK = [1000]

# Canonical states and how each vendor spells them.
SPELL = {
    "aliyun": {"running": "Running", "stopped": "Stopped",
               "starting": "Starting", "stopping": "Stopping"},
    "cvm": {"running": "RUNNING", "stopped": "STOPPED",
            "starting": "STARTING", "stopping": "STOPPING",
            "rebooting": "REBOOTING"},
    "cs": {"running": "Running", "stopped": "Stopped",
           "starting": "Starting", "stopping": "Stopping"},
}


def now():
    return time.time() + CONF["skew"]


def log(vendor, action, instance, code):
    e = {"vendor": vendor, "action": action, "instance": instance,
         "code": code}
    LOG.append(e)
    if LOGFILE:
        with open(LOGFILE, "a") as f:
            f.write(json.dumps(e) + "\n")


# ---- instance state machine -------------------------------------------

def settle(inst):
    """Advance an instance through its phases as time passes; a hanging
    instance never leaves its phase."""
    while inst["phases"] and not inst["hang"] and \
            time.time() >= inst["phases"][0][1]:
        inst["phases"].pop(0)
        if not inst["phases"]:
            inst["state"] = inst["final"]
            inst["op_state"] = "FAILED" if inst["failed_op"] else "SUCCESS"


def begin(inst, action, vendor):
    """Start a transition: the phases shown (state, until) and the final
    state; an async failure ends where it began."""
    d = inst["delay"]
    t = time.time()
    failing = inst["fail"] == "async"
    if action == "start":
        inst["phases"] = [("starting", t + d)]
        inst["final"] = "stopped" if failing else "running"
    elif action == "stop":
        inst["phases"] = [("stopping", t + d)]
        inst["final"] = "running" if failing else "stopped"
    else:
        if vendor == "cvm":
            inst["phases"] = [("rebooting", t + d)]
        else:
            inst["phases"] = [("stopping", t + d / 2), ("starting", t + d)]
        inst["final"] = "running"
    inst["failed_op"] = failing
    inst["op_state"] = "OPERATING"


def shown(inst):
    """The state an observer sees: the phase's while moving."""
    settle(inst)
    return inst["phases"][0][0] if inst["phases"] else inst["state"]


def task_status(task):
    """1 success, 2 failure, 4 unfinished (CPM codes)."""
    inst = INSTANCES.get(task["instance"])
    if inst is None:
        return 2
    settle(inst)
    if inst["phases"]:
        return 4
    return 2 if task["failed"] else 1


# ---- Aliyun ECS ---------------------------------------------------------

def ali_enc(s):
    return urllib.parse.quote(s, safe="-_.~")


def ali_error(h, status, code, message):
    body = {"RequestId": str(uuid.uuid4()).upper(),
            "HostId": "ecs.aliyuncs.com", "Code": code, "Message": message,
            "Recommend": "https://api.aliyun.com/troubleshoot?q=" + code}
    return h.reply(status, body)


def aliyun(h, params):
    action = params.get("Action", "")
    inst_id = params.get("InstanceId") or params.get("InstanceIds", "")
    code = ali_check(h, params)
    if code is not None:
        log("aliyun", action, inst_id, code[1])
        return ali_error(h, *code)
    with LOCK:
        status, body = ali_action(action, params)
    log("aliyun", action, inst_id, body.get("Code"))
    body["RequestId"] = str(uuid.uuid4()).upper()
    if "Code" in body:
        return ali_error(h, status, body["Code"], body["Message"])
    return h.reply(status, body)


def ali_check(h, p):
    """None when the request is authentic, else (status, code, message)."""
    for k in ("Action", "Version", "AccessKeyId", "SignatureMethod",
              "SignatureVersion", "SignatureNonce", "Timestamp"):
        if k not in p:
            return (400, "MissingParameter",
                    "The input parameter \"%s\" that is mandatory for "
                    "processing this request is not supplied." % k)
    if "Signature" not in p:
        return (400, "IncompleteSignature",
                "The request signature does not conform to Aliyun "
                "standards.")
    if p["SignatureMethod"] != "HMAC-SHA1" or p["SignatureVersion"] != "1.0":
        return (400, "InvalidParameter.SignatureMethod",
                "Specified signature method is not valid.")
    secret = KEYS.get(p["AccessKeyId"])
    if secret is None:
        return (404, "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.")
    try:
        ts = calendar.timegm(time.strptime(p["Timestamp"],
                                           "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        return (400, "InvalidTimeStamp.Format",
                "Specified time stamp or date value is not well formatted.")
    if abs(now() - ts) > 31 * 60:
        return (400, "InvalidTimeStamp.Expired",
                "Specified time stamp or date value is expired.")
    cqs = "&".join("%s=%s" % (ali_enc(k), ali_enc(v))
                   for k, v in sorted(p.items()) if k != "Signature")
    sts = "%s&%s&%s" % (h.command, ali_enc("/"), ali_enc(cqs))
    mac = hmac.new((secret + "&").encode(), sts.encode(), hashlib.sha1)
    want = base64.b64encode(mac.digest()).decode()
    if not hmac.compare_digest(want, p["Signature"]):
        return (400, "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation. "
                "server string to sign is:" + sts)
    with LOCK:
        if p["SignatureNonce"] in NONCES:
            return (400, "SignatureNonceUsed",
                    "Specified signature nonce was used already.")
        NONCES.add(p["SignatureNonce"])
    return None


def ali_action(action, p):
    if p.get("Version") != "2014-05-26":
        return 400, {"Code": "InvalidVersion",
                     "Message": "Specified parameter Version is not valid."}
    region = p.get("RegionId")
    if not region:
        return 400, {"Code": "MissingParameter",
                     "Message": "The input parameter \"RegionId\" that is "
                                "mandatory for processing this request is "
                                "not supplied."}
    if action == "DescribeInstances":
        try:
            ids = json.loads(p.get("InstanceIds", "[]"))
        except ValueError:
            return 400, {"Code": "InvalidInstanceIds.Malformed",
                         "Message": "The specified parameter InstanceIds "
                                    "is not valid."}
        out = []
        for i in ids:
            inst = INSTANCES.get(i)
            if inst and inst["vendor"] == "aliyun" and \
                    inst["region"] == region:
                out.append({"InstanceId": i, "RegionId": region,
                            "Status": SPELL["aliyun"][shown(inst)]})
        return 200, {"Instances": {"Instance": out}, "TotalCount": len(out),
                     "PageNumber": 1, "PageSize": 10}
    verbs = {"StartInstance": "start", "StopInstance": "stop",
             "RebootInstance": "reboot"}
    if action not in verbs:
        return 400, {"Code": "InvalidAction.NotFound",
                     "Message": "Specified api is not found, please check "
                                "your url and method."}
    inst = INSTANCES.get(p.get("InstanceId", ""))
    if inst is None or inst["vendor"] != "aliyun" or \
            inst["region"] != region:
        return 404, {"Code": "InvalidInstanceId.NotFound",
                     "Message": "The specified InstanceId does not exist."}
    if inst["fail"] == "sync":
        return 403, {"Code": inst["code"] or "IncorrectInstanceStatus",
                     "Message": "The current status of the resource does "
                                "not support this operation."}
    need = "stopped" if verbs[action] == "start" else "running"
    if shown(inst) != need:
        return 403, {"Code": "IncorrectInstanceStatus",
                     "Message": "The current status of the resource does "
                                "not support this operation."}
    begin(inst, verbs[action], "aliyun")
    return 200, {}


# ---- Tencent Cloud API 3.0 ---------------------------------------------

def tc_error(h, code, message):
    return h.reply(200, {"Response": {
        "Error": {"Code": code, "Message": message},
        "RequestId": str(uuid.uuid4())}})


def tencent(h, body):
    action = h.headers.get("X-TC-Action", "")
    err, service = tc_check(h, body)
    if err is not None:
        log("tencent", action, "", err[0])
        return tc_error(h, *err)
    try:
        req = json.loads(body.decode("utf-8"))
        if not isinstance(req, dict):
            raise ValueError
    except ValueError:
        log("tencent", action, "", "InvalidParameter")
        return tc_error(h, "InvalidParameter", "The request body is not "
                        "valid JSON.")
    ids = req.get("InstanceIds") or []
    rid = str(uuid.uuid4())
    with LOCK:
        out = tc_action(service, action, h.headers.get("X-TC-Version"),
                        h.headers.get("X-TC-Region", ""), req, rid)
    log(service, action, ",".join(ids) if isinstance(ids, list) else "",
        out[0] if isinstance(out, tuple) else None)
    if isinstance(out, tuple):
        return tc_error(h, *out)
    out["RequestId"] = rid
    return h.reply(200, {"Response": out})


def tc_check(h, body):
    """(None, service) when authentic, else ((code, message), None)."""
    auth = h.headers.get("Authorization", "")
    pre = "TC3-HMAC-SHA256 "
    if not auth.startswith(pre):
        return ("AuthFailure.InvalidAuthorization",
                "Authorization is invalid."), None
    parts = {}
    for kv in auth[len(pre):].split(", "):
        k, _, v = kv.partition("=")
        parts[k] = v
    cred = parts.get("Credential", "").split("/")
    if len(cred) != 4 or cred[3] != "tc3_request" or \
            "SignedHeaders" not in parts or "Signature" not in parts:
        return ("AuthFailure.InvalidAuthorization",
                "Authorization is invalid."), None
    secret_id, date, service = cred[0], cred[1], cred[2]
    secret = KEYS.get(secret_id)
    if secret is None:
        return ("AuthFailure.SecretIdNotFound",
                "The SecretId is not found, please ensure that your SecretId "
                "is correct."), None
    try:
        ts = int(h.headers.get("X-TC-Timestamp", ""))
    except ValueError:
        return ("AuthFailure.InvalidAuthorization",
                "X-TC-Timestamp is invalid."), None
    if abs(now() - ts) > 300:
        return ("AuthFailure.SignatureExpire",
                "Signature expired. Timestamp and server time cannot differ "
                "by more than five minutes."), None
    signed = parts["SignedHeaders"].split(";")
    if "content-type" not in signed or "host" not in signed or \
            signed != sorted(signed):
        return ("AuthFailure.InvalidAuthorization",
                "SignedHeaders must include content-type and host."), None
    canon = ""
    for name in signed:
        canon += "%s:%s\n" % (name, (h.headers.get(name) or "").strip()
                              .lower())
    creq = "\n".join(["POST", "/", "", canon, parts["SignedHeaders"],
                      hashlib.sha256(body).hexdigest()])
    sts = "\n".join(["TC3-HMAC-SHA256", str(ts),
                     "%s/%s/tc3_request" % (date, service),
                     hashlib.sha256(creq.encode()).hexdigest()])

    def mac(key, msg):
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()
    k = mac(("TC3" + secret).encode(), date)
    k = mac(k, service)
    k = mac(k, "tc3_request")
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    utcdate = time.strftime("%Y-%m-%d", time.gmtime(ts))
    if date != utcdate or not hmac.compare_digest(want, parts["Signature"]):
        return ("AuthFailure.SignatureFailure",
                "The provided credentials could not be validated. Please "
                "check your signature is correct."), None
    return None, service


def tc_action(service, action, version, region, req, rid):
    """A dict answer, or (code, message)."""
    versions = {"cvm": "2017-03-12", "bm": "2018-04-23"}
    if versions.get(service) is None:
        return ("InvalidAction", "The requested service does not exist.")
    if version != versions[service]:
        return ("InvalidParameter", "The version is not supported.")
    if not region:
        return ("MissingParameter", "The request is missing X-TC-Region.")
    vendor = "cvm" if service == "cvm" else "cpm"
    if service == "bm" and action == "DescribeOperationResult":
        task = TASKS.get(req.get("TaskId"))
        if task is None or task.get("kind") != "cpm":
            return ("InvalidParameterValue", "TaskId does not exist.")
        st = task_status(task)
        return {"TaskStatus": st, "SubtaskStatusSet": [
            {"InstanceId": task["instance"], "TaskStatus": st}]}
    ids = req.get("InstanceIds")
    if ids is None and action == "DescribeInstances":
        ids = sorted(i for i, x in INSTANCES.items() if x["vendor"] == vendor
                     and x["region"] == region)[:req.get("Limit", 20)]
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        return ("MissingParameter", "The request is missing a required "
                "parameter `InstanceIds`.")
    insts = []
    for i in ids:
        inst = INSTANCES.get(i)
        if inst is None or inst["vendor"] != vendor or \
                inst["region"] != region:
            if action == "DescribeInstances":
                continue
            return ("InvalidInstanceId.NotFound",
                    "The instance `%s` is not found." % i)
        insts.append(inst)
    if action == "DescribeInstances" and service == "cvm":
        return {"TotalCount": len(insts), "InstanceSet": [
            {"InstanceId": x["id"], "InstanceState":
             SPELL["cvm"][shown(x)], "LatestOperation": x["last_op"],
             "LatestOperationState": x["op_state"],
             "LatestOperationRequestId": x["last_req"]} for x in insts]}
    verbs = {"cvm": {"StartInstances": "start", "StopInstances": "stop",
                     "RebootInstances": "reboot"},
             "bm": {"StartDevices": "start", "ShutdownDevices": "stop",
                    "RebootDevices": "reboot"}}[service]
    if action not in verbs:
        return ("InvalidAction", "The requested action `%s` does not "
                "exist." % action)
    if service == "cvm" and "ForceStop" in req and "StopType" in req:
        return ("InvalidParameter", "ForceStop and StopType cannot be "
                "specified at the same time.")
    for inst in insts:
        if inst["fail"] == "sync":
            return (inst["code"] or "FailedOperation",
                    "The operation failed on `%s`." % inst["id"])
        need = "stopped" if verbs[action] == "start" else "running"
        if shown(inst) != need:
            return ("UnsupportedOperation.InstanceState%s" %
                    SPELL["cvm"][shown(inst)].capitalize(),
                    "The instance `%s` is in state %s." %
                    (inst["id"], SPELL["cvm"][shown(inst)]))
    out = {}
    for inst in insts:
        begin(inst, verbs[action], vendor)
        inst["last_op"] = action
        inst["last_req"] = rid
    if service == "bm":
        NEXT_TASK[0] += 1
        TASKS[NEXT_TASK[0]] = {"kind": "cpm", "instance": insts[0]["id"],
                               "failed": insts[0]["fail"] == "async"}
        out["TaskId"] = NEXT_TASK[0]
    return out


# ---- CloudStack ---------------------------------------------------------

JAVA_SAFE = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                b"0123456789.-*_")


def java_enc(s):
    """URLEncoder.encode(s, "UTF-8").replace("+", "%20")."""
    return "".join(chr(b) if b in JAVA_SAFE else "%%%02X" % b
                   for b in s.encode("utf-8"))


def cs_reply(h, cmd, status, inner):
    return h.reply(status, {cmd.lower() + "response": inner})


def cs_denied(h, cmd):
    return cs_reply(h, cmd or "error", 401, {
        "uuidList": [], "errorcode": 401,
        "errortext": "unable to verify user credentials and/or request "
                     "signature"})


def cloudstack(h, params):
    cmd = params.get("command", "")
    if not cs_authentic(params):
        log("cloudstack", cmd, params.get("id", ""), "401")
        return cs_denied(h, cmd)
    with LOCK:
        status, inner = cs_action(cmd, params)
    log("cloudstack", cmd, params.get("id", params.get("jobid", "")),
        str(inner.get("errorcode")) if "errorcode" in inner else None)
    return cs_reply(h, cmd, status, inner)


def cs_authentic(p):
    """ApiServer.verifyRequest: signature, apiKey, optional expiry."""
    sig = None
    api_key = None
    expires = None
    version = None
    parts = []
    for name in sorted(p):
        if name.lower() == "signature":
            sig = p[name]
            continue
        if name.lower() == "apikey":
            api_key = p[name]
        if name.lower() == "expires":
            expires = p[name]
        if name.lower() == "signatureversion":
            version = p[name]
        parts.append(name + "=" + java_enc(p[name]))
    if sig is None or api_key is None or api_key not in KEYS:
        return False
    if version == "3" and expires is not None:
        try:
            exp = expires.replace("Z", "+0000")
            t = calendar.timegm(time.strptime(exp[:19], "%Y-%m-%dT%H:%M:%S"))
            off = exp[19:]
            if len(off) != 5 or off[0] not in "+-":
                return False
            sign = 1 if off[0] == "+" else -1
            t -= sign * (int(off[1:3]) * 3600 + int(off[3:5]) * 60)
        except ValueError:
            return False
        if now() > t:
            return False
    msg = "&".join(parts).lower()
    mac = hmac.new(KEYS[api_key].encode(), msg.encode(), hashlib.sha1)
    return hmac.compare_digest(base64.b64encode(mac.digest()).decode(), sig)


def cs_action(cmd, p):
    verbs = {"startvirtualmachine": "start", "stopvirtualmachine": "stop",
             "rebootvirtualmachine": "reboot"}
    lc = cmd.lower()
    if lc == "queryasyncjobresult":
        task = TASKS.get(p.get("jobid", ""))
        if task is None or task.get("kind") != "cs":
            return 431, {"errorcode": 431, "cserrorcode": 9999,
                         "errortext": "Unable to execute API command "
                         "queryasyncjobresult due to invalid value. Invalid "
                         "parameter jobid value=%s due to incorrect long "
                         "value format, or entity does not exist or due to "
                         "incorrect parameter annotation for the field in "
                         "api cmd class." % p.get("jobid", "")}
        st = task_status(task)
        inst = INSTANCES.get(task["instance"])
        out = {"jobid": p["jobid"], "cmd": task["cmd"],
               "jobstatus": {4: 0, 1: 1, 2: 2}[st],
               "jobprocstatus": 0, "jobinstancetype": "VirtualMachine",
               "jobinstanceid": task["instance"]}
        if st == 1:
            out["jobresultcode"] = 0
            out["jobresulttype"] = "object"
            out["jobresult"] = {"virtualmachine": {
                "id": inst["id"], "state": SPELL["cs"][shown(inst)]}}
        elif st == 2:
            out["jobresultcode"] = 530
            out["jobresulttype"] = "object"
            out["jobresult"] = {"errorcode": 530, "errortext":
                                inst["code"] or "Unable to complete the "
                                "operation on VM %s" % inst["id"]}
        return 200, out
    if lc not in verbs:
        return 432, {"errorcode": 432, "cserrorcode": 9999,
                     "errortext": "The given command does not exist or it "
                     "is not available for user"}
    inst = INSTANCES.get(p.get("id", ""))
    if inst is None or inst["vendor"] != "cs":
        return 431, {"errorcode": 431, "cserrorcode": 4350,
                     "errortext": "Unable to execute API command %s due to "
                     "invalid value. Invalid parameter id value=%s due to "
                     "incorrect long value format, or entity does not "
                     "exist or due to incorrect parameter annotation for "
                     "the field in api cmd class." % (lc, p.get("id", ""))}
    if inst["fail"] == "sync":
        return 530, {"errorcode": 530, "cserrorcode": 4250,
                     "errortext": inst["code"] or "Internal error"}
    need = "stopped" if verbs[lc] == "start" else "running"
    if shown(inst) != need:
        return 431, {"errorcode": 431, "cserrorcode": 4350,
                     "errortext": "VM %s is in state %s" %
                     (inst["id"], SPELL["cs"][shown(inst)])}
    begin(inst, verbs[lc], "cs")
    job = str(uuid.uuid4())
    TASKS[job] = {"kind": "cs", "instance": inst["id"], "cmd": lc,
                  "failed": inst["fail"] == "async"}
    return 200, {"jobid": job}


# ---- control and dispatch ----------------------------------------------

def control(h, path, body):
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(h.path).query)
    with LOCK:
        if path == "/_standin/instance" and h.command == "POST":
            c = json.loads(body or b"{}")
            INSTANCES[c["id"]] = {
                "id": c["id"], "vendor": c.get("vendor", "aliyun"),
                "region": c.get("region", ""),
                "state": c.get("state", "stopped"),
                "delay": float(c.get("delay", 0.5)),
                "fail": c.get("fail"), "code": c.get("code"),
                "hang": bool(c.get("hang", False)), "phases": [],
                "final": None, "op_state": "SUCCESS",
                "last_op": None, "last_req": None, "failed_op": False}
            return h.reply(200, {"id": c["id"]})
        if path == "/_standin/instance":
            inst = INSTANCES.get(q.get("id", [""])[0])
            if inst is None:
                return h.reply(404, {"error": "no such instance"})
            return h.reply(200, {"id": inst["id"], "state": shown(inst),
                                 "op_state": inst["op_state"]})
        if path == "/_standin/config" and h.command == "POST":
            CONF.update(json.loads(body or b"{}"))
            return h.reply(200, CONF)
        if path == "/_standin/log":
            return h.reply(200, LOG)
        if path == "/_standin/reset" and h.command == "POST":
            INSTANCES.clear()
            TASKS.clear()
            NONCES.clear()
            del LOG[:]
            CONF["skew"] = 0
            return h.reply(200, {})
    return h.reply(404, {"error": "no such control path"})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        pass

    def params(self, query, body):
        p = {}
        for src in (query, body):
            for k, v in urllib.parse.parse_qsl(src, keep_blank_values=True):
                p.setdefault(k, v)
        return p

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/_standin/"):
            return control(self, url.path, body)
        if url.path == "/client/api":
            form = body.decode() if self.headers.get("Content-Type", "") \
                .startswith("application/x-www-form-urlencoded") else ""
            return cloudstack(self, self.params(url.query, form))
        if self.command == "POST" and "X-TC-Action" in self.headers:
            return tencent(self, body)
        if url.path == "/" and self.command in ("GET", "POST"):
            form = body.decode() if self.command == "POST" else ""
            return aliyun(self, self.params(url.query, form))
        return self.reply(404, {"error": "not found"})

    do_GET = handle_any
    do_POST = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that gave up (its deadline passed) is not an error."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def main():
    global LOGFILE
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    ap.add_argument("--key", action="append", default=[])
    a = ap.parse_args()
    for k in a.key:
        ident, _, secret = k.partition(":")
        KEYS[ident] = secret
    LOGFILE = a.log
    srv = Server(("127.0.0.1", a.port), Handler)
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
