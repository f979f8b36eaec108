#!/usr/bin/env python3
"""zabbix-standin.py -- a strict stand-in for the Zabbix 6.0 JSON-RPC API.

Hangar's tests talk to this instead of a real Zabbix (bringing one up takes
Debian's zabbix-frontend-php, php-fpm, a schema load and a web server: too
slow for a test run).  It keeps state in memory and is strict where Zabbix
6.0 is: the JSON-RPC 2.0 envelope, the session token in the body's "auth"
member (not in a header: that came in 6.4), user.login without "auth",
unknown parameters refused, ids as strings, and errors shaped as
ui/include/classes/api/CJsonRpc.php shapes them (HTTP 200,
{"error": {"code", "message", "data"}}).

    zabbix-standin.py --port N [--user Admin --password zabbix] [--pid-file F]

Only the methods Hangar uses, plus hostgroup.create and template.create so
tests can set up fixtures the way they would on a real server.  Every call is
appended to --log (one JSON line: method, params without passwords) so tests
can check what was sent.
"""
import argparse
import ipaddress
import json
import os
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CTYPES = ("application/json-rpc", "application/json", "application/jsonrequest")
ERRORS = {
    -32700: "Parse error",
    -32600: "Invalid request.",
    -32601: "Method not found.",
    -32602: "Invalid params.",
    -32500: "Application error.",
}


class ApiError(Exception):
    def __init__(self, code, data):
        super().__init__(data)
        self.code = code
        self.data = data


def params_error(data):
    return ApiError(-32602, data)


class State:
    def __init__(self, user, password):
        self.lock = threading.Lock()
        self.user, self.password = user, password
        self.sessions = set()
        self.next_id = 10000
        self.groups = {}      # groupid -> {"groupid", "name"}
        self.templates = {}   # templateid -> {"templateid", "host", "name", "groups"}
        self.hosts = {}       # hostid -> {...}
        for name in ("Linux servers", "Zabbix servers"):
            self.add_group(name)

    def new_id(self):
        self.next_id += 1
        return str(self.next_id)

    def add_group(self, name):
        gid = self.new_id()
        self.groups[gid] = {"groupid": gid, "name": name}
        return gid


def check_keys(obj, allowed, path="/"):
    if not isinstance(obj, dict):
        raise params_error('Invalid parameter "%s": an array is expected.' % path)
    for k in obj:
        if k not in allowed:
            raise params_error('Invalid parameter "%s": unexpected parameter "%s".'
                               % (path, k))


def want_str(v, path):
    if not isinstance(v, str):
        raise params_error('Invalid parameter "%s": a character string is expected.'
                           % path)
    return v


def output(objs, spec):
    if spec in (None, "extend"):
        return [dict(o) for o in objs]
    if not isinstance(spec, list):
        raise params_error('Invalid parameter "/output": value must be "extend".')
    return [{k: o[k] for k in spec if k in o} for o in objs]


def filtered(objs, flt, fields, path="/filter"):
    if flt is None:
        return list(objs)
    check_keys(flt, fields, path)
    out = []
    for o in objs:
        ok = True
        for k, v in flt.items():
            vals = v if isinstance(v, list) else [v]
            if str(o.get(k)) not in [str(x) for x in vals]:
                ok = False
        if ok:
            out.append(o)
    return out


def refs(st, items, key, table, path):
    if not isinstance(items, list):
        raise params_error('Invalid parameter "%s": an array is expected.' % path)
    ids = []
    for i, it in enumerate(items):
        check_keys(it, (key,), "%s/%d" % (path, i + 1))
        if key not in it:
            raise params_error('Invalid parameter "%s/%d": the parameter "%s" is missing.'
                               % (path, i + 1, key))
        rid = str(it[key])
        if rid not in table:
            raise ApiError(-32500, "No permissions to referred object or it does not exist!")
        ids.append(rid)
    return ids


def m_apiinfo_version(st, p):
    return "6.0.14"


def m_user_login(st, p):
    check_keys(p, ("username", "user", "password", "userData"))
    user = p.get("username", p.get("user"))
    if user is None:
        raise params_error('Invalid parameter "/": the parameter "username" is missing.')
    if user != st.user or p.get("password") != st.password:
        raise ApiError(-32500, "Incorrect user name or password or account is "
                       "temporarily blocked.")
    tok = secrets.token_hex(16)
    st.sessions.add(tok)
    return tok


def m_user_logout(st, p, auth):
    if p != []:
        raise params_error('Invalid parameter "/": an array is expected.')
    st.sessions.discard(auth)
    return True


def m_hostgroup_get(st, p):
    check_keys(p, ("output", "filter", "groupids"))
    objs = filtered(st.groups.values(), p.get("filter"), ("groupid", "name"))
    return output(objs, p.get("output"))


def m_hostgroup_create(st, p):
    check_keys(p, ("name",))
    name = want_str(p.get("name"), "/name")
    if any(g["name"] == name for g in st.groups.values()):
        raise params_error('Host group "%s" already exists.' % name)
    return {"groupids": [st.add_group(name)]}


def m_template_get(st, p):
    check_keys(p, ("output", "filter", "templateids"))
    objs = filtered(st.templates.values(), p.get("filter"),
                    ("templateid", "host", "name"))
    return output([{k: v for k, v in t.items() if k != "groups"} for t in objs],
                  p.get("output"))


def m_template_create(st, p):
    check_keys(p, ("host", "name", "groups"))
    host = want_str(p.get("host"), "/host")
    if "groups" not in p:
        raise params_error('Invalid parameter "/1": the parameter "groups" is missing.')
    gids = refs(st, p["groups"], "groupid", st.groups, "/1/groups")
    if any(t["host"] == host for t in st.templates.values()):
        raise params_error('Template with the same name "%s" already exists.' % host)
    tid = st.new_id()
    st.templates[tid] = {"templateid": tid, "host": host,
                         "name": p.get("name", host), "groups": gids}
    return {"templateids": [tid]}


def check_interfaces(ifs):
    if not isinstance(ifs, list):
        raise params_error('Invalid parameter "/1/interfaces": an array is expected.')
    for i, it in enumerate(ifs):
        path = "/1/interfaces/%d" % (i + 1)
        check_keys(it, ("type", "main", "useip", "ip", "dns", "port", "details"), path)
        for k in ("type", "main", "useip", "ip", "dns", "port"):
            if k not in it:
                raise params_error('Invalid parameter "%s": the parameter "%s" is missing.'
                                   % (path, k))
        if it["type"] not in (1, 2, 3, 4, "1", "2", "3", "4"):
            raise params_error('Invalid parameter "%s/type": value must be one of 1, 2, 3, 4.'
                               % path)
        if it["main"] not in (0, 1, "0", "1") or it["useip"] not in (0, 1, "0", "1"):
            raise params_error('Invalid parameter "%s/main": value must be one of 0, 1.' % path)
        want_str(it["ip"], path + "/ip")
        want_str(it["dns"], path + "/dns")
        want_str(it["port"], path + "/port")
        if str(it["useip"]) == "1" and it["ip"] == "":
            raise params_error('Invalid parameter "%s/ip": cannot be empty.' % path)
        if it["ip"] != "":
            try:
                ipaddress.ip_address(it["ip"])
            except ValueError:
                raise params_error('Invalid IP address "%s".' % it["ip"])


def host_view(h):
    return {k: v for k, v in h.items()
            if k not in ("groupids", "templateids", "interfaces")}


def m_host_get(st, p):
    check_keys(p, ("output", "filter", "hostids", "selectGroups",
                   "selectParentTemplates", "selectInterfaces"))
    objs = filtered(st.hosts.values(), p.get("filter"), ("hostid", "host", "name"))
    out = output([host_view(h) for h in objs], p.get("output"))
    for o, h in zip(out, objs):
        if "selectGroups" in p:
            o["groups"] = [dict(st.groups[g]) for g in h["groupids"]]
        if "selectInterfaces" in p:
            o["interfaces"] = [dict(i) for i in h["interfaces"]]
        if "selectParentTemplates" in p:
            o["parentTemplates"] = [{"templateid": t, "host": st.templates[t]["host"],
                                     "name": st.templates[t]["name"]}
                                    for t in h["templateids"]]
    return out


def m_host_create(st, p):
    check_keys(p, ("host", "name", "interfaces", "groups", "templates", "tags",
                   "inventory_mode", "inventory", "status", "description"))
    host = want_str(p.get("host"), "/1/host")
    if host == "":
        raise params_error('Invalid parameter "/1/host": cannot be empty.')
    if "groups" not in p:
        raise params_error('Invalid parameter "/1": the parameter "groups" is missing.')
    if p["groups"] == []:
        raise params_error('Invalid parameter "/1/groups": cannot be empty.')
    gids = refs(st, p["groups"], "groupid", st.groups, "/1/groups")
    tids = refs(st, p.get("templates", []), "templateid", st.templates, "/1/templates")
    if "interfaces" in p:
        check_interfaces(p["interfaces"])
    if any(h["host"] == host for h in st.hosts.values()):
        raise params_error('Host with the same name "%s" already exists.' % host)
    hid = st.new_id()
    st.hosts[hid] = {"hostid": hid, "host": host, "name": p.get("name", host),
                     "status": "0", "interfaces": p.get("interfaces", []),
                     "groupids": gids, "templateids": tids}
    return {"hostids": [hid]}


def m_host_update(st, p):
    check_keys(p, ("hostid", "host", "name", "groups", "templates",
                   "templates_clear", "interfaces", "status", "tags"))
    if "hostid" not in p:
        raise params_error('Invalid parameter "/1": the parameter "hostid" is missing.')
    hid = want_str(p["hostid"], "/1/hostid")
    if hid not in st.hosts:
        raise ApiError(-32500, "No permissions to referred object or it does not exist!")
    h = st.hosts[hid]
    if "groups" in p:
        if p["groups"] == []:
            raise params_error('Invalid parameter "/1/groups": cannot be empty.')
        h["groupids"] = refs(st, p["groups"], "groupid", st.groups, "/1/groups")
    if "templates" in p:
        h["templateids"] = refs(st, p["templates"], "templateid", st.templates,
                                "/1/templates")
    if "interfaces" in p:
        check_interfaces(p["interfaces"])
        h["interfaces"] = p["interfaces"]
    return {"hostids": [hid]}


def m_host_delete(st, p):
    if not isinstance(p, list):
        raise params_error('Invalid parameter "/": an array is expected.')
    for i, hid in enumerate(p):
        want_str(hid, "/%d" % (i + 1))
        if hid not in st.hosts:
            raise ApiError(-32500, "No permissions to referred object or it does not exist!")
    for hid in p:
        del st.hosts[hid]
    return {"hostids": p}


METHODS = {
    "apiinfo.version": (m_apiinfo_version, False),
    "user.login": (m_user_login, False),
    "user.logout": (m_user_logout, True),
    "hostgroup.get": (m_hostgroup_get, True),
    "hostgroup.create": (m_hostgroup_create, True),
    "template.get": (m_template_get, True),
    "template.create": (m_template_create, True),
    "host.get": (m_host_get, True),
    "host.create": (m_host_create, True),
    "host.update": (m_host_update, True),
    "host.delete": (m_host_delete, True),
}


def error(code, data, rid):
    return {"jsonrpc": "2.0",
            "error": {"code": code, "message": ERRORS[code], "data": data},
            "id": rid}


def answer(st, req, log):
    """One request object -> one response object, or None (notification)."""
    if not isinstance(req, dict):
        return error(-32600, 'Invalid parameter "/": an array is expected.', None)
    rid = req.get("id")
    for k in req:
        if k not in ("jsonrpc", "method", "params", "id", "auth"):
            return error(-32600, 'Invalid parameter "/": unexpected parameter "%s".' % k, rid)
    if req.get("jsonrpc") != "2.0":
        return error(-32600, 'Invalid parameter "/jsonrpc": value must be "2.0".', rid)
    if not isinstance(req.get("method"), str):
        return error(-32600, 'Invalid parameter "/method": a character string is expected.', rid)
    if "params" not in req or not isinstance(req["params"], (dict, list)):
        return error(-32600, 'Invalid parameter "/params": an array or object is expected.', rid)
    if "id" not in req:
        return None
    method = req["method"]
    if method not in METHODS:
        return error(-32601, 'Incorrect API "%s".' % method.split(".")[0], rid)
    fn, needs_auth = METHODS[method]
    auth = req.get("auth")
    shown = req["params"] if method != "user.login" else \
        {k: v for k, v in req["params"].items() if k != "password"} \
        if isinstance(req["params"], dict) else req["params"]
    log.write(json.dumps({"method": method, "params": shown}) + "\n")
    log.flush()
    try:
        with st.lock:
            if not needs_auth:
                if auth is not None:
                    raise params_error('The "%s" method must be called without the '
                                       '"auth" parameter.' % method)
                return {"jsonrpc": "2.0", "result": fn(st, req["params"]), "id": rid}
            if not isinstance(auth, str) or auth not in st.sessions:
                raise params_error("Session terminated, re-login, please." if auth
                                   else "Not authorised.")
            if method == "user.logout":
                res = fn(st, req["params"], auth)
            else:
                res = fn(st, req["params"])
            return {"jsonrpc": "2.0", "result": res, "id": rid}
    except ApiError as e:
        return error(e.code, e.data, rid)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.send(405, "")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        if self.path != "/api_jsonrpc.php":
            self.send(404, "")
            return
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype not in CTYPES:
            self.send(412, "")
            return
        try:
            req = json.loads(raw)
        except ValueError:
            self.send(200, json.dumps(error(-32700, "Invalid JSON. An error occurred "
                                            "on the server while parsing the JSON text.",
                                            None)))
            return
        st, log = self.server.state, self.server.log
        if isinstance(req, list):
            out = [r for r in (answer(st, q, log) for q in req) if r is not None]
            self.send(200, json.dumps(out) if out else "")
        else:
            out = answer(st, req, log)
            self.send(200, json.dumps(out) if out is not None else "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", default="Admin")
    ap.add_argument("--password", default="zabbix")
    ap.add_argument("--pid-file")
    ap.add_argument("--log", default=os.devnull)
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    srv.state = State(a.user, a.password)
    srv.log = open(a.log, "a")
    if a.pid_file:
        with open(a.pid_file, "w") as f:
            f.write("%d\n" % os.getpid())
    sys.stdout.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
