# SPDX-License-Identifier: Apache-2.0
"""Static checks of deploy/grafana/ibackupmon.json that need no Prometheus: it is a Grafana 10
dashboard model with unique panel ids, panels inside the 24-column grid, every query on the
${datasource} variable, unique refIds per panel, and the host and udid variables the docs promise.
(Every query is evaluated on a real Prometheus in tests/integration/metrics.)"""
import json
import os
import sys

path = os.path.join(sys.argv[1] if len(sys.argv) > 1 else ".", "deploy/grafana/ibackupmon.json")
with open(path) as f:
    dash = json.load(f)

problems = []
if dash.get("schemaVersion", 0) < 36:
    problems.append(f"schemaVersion {dash.get('schemaVersion')} is older than Grafana 9/10")
ids = []


def walk(panels):
    for p in panels:
        yield p
        yield from walk(p.get("panels", []))


for p in walk(dash["panels"]):
    ids.append(p["id"])
    g = p["gridPos"]
    if g["x"] < 0 or g["w"] <= 0 or g["x"] + g["w"] > 24:
        problems.append(f"panel {p['title']!r} leaves the 24-column grid: {g}")
    refs = [t["refId"] for t in p.get("targets", [])]
    if len(refs) != len(set(refs)):
        problems.append(f"panel {p['title']!r} repeats a refId: {refs}")
    for t in p.get("targets", []):
        if t.get("datasource", {}).get("uid") != "${datasource}":
            problems.append(f"panel {p['title']!r} query not on ${{datasource}}: {t}")
        if not t.get("expr", "").strip():
            problems.append(f"panel {p['title']!r} has an empty query")
    if p["type"] != "row" and not p.get("targets"):
        problems.append(f"panel {p['title']!r} has no query")
if len(ids) != len(set(ids)):
    problems.append(f"panel ids repeat: {sorted(ids)}")
variables = {v["name"]: v for v in dash["templating"]["list"]}
for name in ("datasource", "host", "udid"):
    if name not in variables:
        problems.append(f"variable ${name} missing")
if "host" in variables and not variables["host"].get("includeAll"):
    problems.append("$host should offer All")
for p in problems:
    print("grafana-lint:", p)
sys.exit(1 if problems else 0)
