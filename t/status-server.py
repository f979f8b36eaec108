#!/usr/bin/python3
"""t/status-server.py PORT CODE -- an HTTP server on 127.0.0.1:PORT that
answers every GET with status CODE and a one-line body: a stand-in for an
application's health endpoint in the deploy tests (the canary's HTTP health
check, run with curl on the sshd test hosts).  Stopped by its pid."""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    code = 200

    def do_GET(self):
        body = ("status %d\n" % self.code).encode()
        self.send_response(self.code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    Handler.code = int(sys.argv[2])
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])),
                        Handler).serve_forever()


if __name__ == "__main__":
    main()
