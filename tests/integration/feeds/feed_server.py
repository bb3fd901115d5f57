#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Loopback HTTP(S) server for the feed integration tests (never the internet).

Prints "PORT <n>" once listening on 127.0.0.1. Routes:
  GET  /fixtures/<name>      a file from tests/fixtures/feeds (gzip if the client accepts it)
  GET  /status/<code>        that status with a small HTML body
  GET  /slow?ms=N            answers after N ms
  GET  /slow_started         how many /slow requests have arrived so far (a number)
  GET  /huge?bytes=N[&cl=1]  N bytes of JSON-looking text, with or without Content-Length
  GET  /redirect             302 to /fixtures/apple_status_current.json
  GET  /endless              200, then one byte every 100 ms until the client hangs up
  GET  /endless_started      how many /endless requests have arrived so far (a number)
  POST /echo                 JSON describing the request (method, headers, body)
"""
import gzip
import json
import os
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

FIXTURES = sys.argv[1]
SLOW_STARTED = [0]  # /slow requests received: tests await it instead of sleeping
ENDLESS_STARTED = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def send(self, code, body, ctype="application/json", length=True, extra=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        q = parse_qs(url.query)
        if url.path.startswith("/fixtures/"):
            name = os.path.basename(url.path)
            with open(os.path.join(FIXTURES, name), "rb") as f:
                body = f.read()
            ctype = "text/html" if name.endswith(".html") else "application/json"
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                return self.send(200, gzip.compress(body), ctype, extra={"Content-Encoding": "gzip"})
            return self.send(200, body, ctype)
        if url.path.startswith("/status/"):
            code = int(url.path.rsplit("/", 1)[1])
            return self.send(code, b"<html><title>Error %d</title></html>" % code, "text/html")
        if url.path == "/slow_started":
            return self.send(200, b"%d" % SLOW_STARTED[0], "text/plain")
        if url.path == "/slow":
            SLOW_STARTED[0] += 1
            time.sleep(int(q.get("ms", ["1000"])[0]) / 1000.0)
            return self.send(200, b"{}")
        if url.path == "/huge":
            n = int(q["bytes"][0])
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if q.get("cl"):
                self.send_header("Content-Length", str(n))
            self.end_headers()
            chunk = b" " * 65536
            try:
                while n > 0:
                    self.wfile.write(chunk[: min(n, len(chunk))])
                    n -= len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if url.path == "/endless_started":
            return self.send(200, b"%d" % ENDLESS_STARTED[0], "text/plain")
        if url.path == "/endless":
            ENDLESS_STARTED[0] += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            try:
                self.wfile.write(b'{"services": [')
                while True:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.1)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if url.path == "/redirect":
            return self.send(302, b"", extra={"Location": "/fixtures/apple_status_current.json"})
        return self.send(404, b"<html><title>Not Found</title></html>", "text/html")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        reply = {"method": "POST", "path": self.path,
                 "content_type": self.headers.get("Content-Type", ""),
                 "user_agent": self.headers.get("User-Agent", ""),
                 "body": body.decode("utf-8", "replace")}
        return self.send(200, json.dumps(reply).encode())


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if len(sys.argv) > 3 and sys.argv[2] == "--tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
