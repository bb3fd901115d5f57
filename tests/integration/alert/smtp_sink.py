#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A real SMTP server on loopback for the alert tests (Debian's python3-aiosmtpd).

Each accepted message is written to DIR/NNNN.eml (atomically: tmp file, then rename) with the
envelope in DIR/NNNN.env. The port is written to PORT_FILE once the server accepts connections.
Runs until SIGTERM or SIGINT.

    /usr/bin/python3 smtp_sink.py --dir /tmp/mail --port-file /tmp/mail.port [--port 2525]
                                  [--reply-delay SECONDS]

--reply-delay holds the "250" reply after a message is stored, so a test can kill the client
in the window between "the server has the message" and "the client knows it was sent".
"""
import argparse
import asyncio
import itertools
import os
import signal
import socket
import threading

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    def __init__(self, directory, reply_delay=0.0):
        self.directory = directory
        self.reply_delay = reply_delay
        self.counter = itertools.count(len([f for f in os.listdir(directory) if f.endswith(".eml")]) + 1)

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        base = os.path.join(self.directory, "%04d" % n)
        with open(base + ".env", "w") as f:
            f.write("from %s\n" % envelope.mail_from)
            for rcpt in envelope.rcpt_tos:
                f.write("to %s\n" % rcpt)
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".tmp", base + ".eml")
        if self.reply_delay > 0:
            await asyncio.sleep(self.reply_delay)
        return "250 OK stored"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--reply-delay", type=float, default=0.0)
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    port = args.port or free_port()
    controller = Controller(Sink(args.dir, args.reply_delay), hostname="127.0.0.1", port=port)
    controller.start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(port))
    os.rename(tmp, args.port_file)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    controller.stop()


if __name__ == "__main__":
    main()
