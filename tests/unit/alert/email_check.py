#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Parses one email (path in argv[1]) with Python's email package, as a mail client would, and
prints what the C++ test asserts on as JSON: header names, decoded subject, parts, defects, and
the longest raw line."""
import email
import email.policy
import json
import sys

raw = open(sys.argv[1], "rb").read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
parts = {}
for part in msg.walk():
    if part.get_content_maintype() == "text":
        parts[part.get_content_type()] = part.get_content()
defects = [type(d).__name__ for d in msg.defects]
for part in msg.walk():
    defects += [type(d).__name__ for d in part.defects]
lines = raw.split(b"\r\n")
print(json.dumps({
    "headers": [k for k in msg.keys()],
    "subject": str(msg["subject"]),
    "message_id": str(msg["message-id"]),
    "content_type": msg.get_content_type(),
    "parts": parts,
    "defects": defects,
    "longest_line": max(len(l) for l in lines),
    "bare_lf": b"\n" in raw.replace(b"\r\n", b""),
    "dot_lines": sum(1 for l in lines if l.startswith(b".")),
}))
