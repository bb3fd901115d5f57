# SPDX-License-Identifier: Apache-2.0
"""Shared helpers of the monitoring-kit integration tests: free ports, processes that are always
stopped, polling with deadlines, the Prometheus HTTP API, and config files derived from deploy/."""
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import yaml

SOURCE_DIR = os.environ.get("IBACKUPMON_SOURCE_DIR",
                            os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))
DEPLOY = os.path.join(SOURCE_DIR, "deploy")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, check, timeout=60, interval=0.2):
    """Polls check() until it returns something truthy; fails naming `what` after timeout."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as e:  # not up yet: keep polling, report the last error on timeout
            last_error = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last error: {last_error})")


def skip(why):
    """Exits 77, "skipped" for ctest; under CI=true (root, every package installed) fails."""
    if os.environ.get("CI") == "true":
        print(f"FAIL: {why} (CI=true: this test may not be skipped)")
        sys.exit(1)
    print(f"skipped: {why}")
    sys.exit(77)


def mount_tmpfs(path, options):
    """Mounts a tmpfs of `options` ("size=4m") on the existing directory `path`, or skips the
    test (it needs root); the caller unmounts it (`umount path`) once its processes are gone."""
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", path],
                       capture_output=True)
    if r.returncode != 0:
        skip(f"cannot mount a tmpfs here: {r.stderr.decode(errors='replace').strip()}")


class Processes:
    """Starts processes with logs in a temp dir and always stops them (SIGTERM, then SIGKILL)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ibackupmon-kit-")
        self.procs = []
        self.strict = set()

    def start(self, name, argv, strict=False):
        """strict: the process must exit 0 on SIGTERM (ours: catches leaks under ASan)."""
        log = open(os.path.join(self.dir, name + ".log"), "wb")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=self.dir)
        self.procs.append((name, p, log))
        if strict:
            self.strict.add(name)
        return p

    def log(self, name):
        with open(os.path.join(self.dir, name + ".log"), "rb") as f:
            return f.read().decode(errors="replace")

    def check_alive(self):
        for name, p, _ in self.procs:
            if p.poll() is not None:
                raise AssertionError(f"{name} exited with {p.returncode}:\n{self.log(name)[-3000:]}")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        bad_exits = []
        for name, p, log in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
            log.close()
            if name in self.strict and p.returncode != 0:
                bad_exits.append(f"{name} exited with {p.returncode}:\n{self.log(name)[-3000:]}")
        if exc_type is None and bad_exits:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise AssertionError("\n".join(bad_exits))
        if exc_type is not None:
            for name, _, _ in self.procs:
                sys.stderr.write(f"--- {name} log (tail)\n{self.log(name)[-2000:]}\n")
        shutil.rmtree(self.dir, ignore_errors=True)
        return False


def start_fixture(procs, name, scenario, extra=()):
    port_file = os.path.join(procs.dir, name + ".port")
    procs.start(name, [os.environ["FIXTURE"], "--scenario", scenario, "--port-file", port_file,
                       *extra], strict=True)
    return int(wait_for(f"{name} port file", lambda: os.path.exists(port_file)
                        and open(port_file).read().strip(), timeout=20))


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


class PrometheusApi:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def ready(self):
        return http_get(self.base + "/-/ready") is not None

    def query(self, expr):
        url = self.base + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        try:
            reply = json.loads(http_get(url))
        except urllib.error.HTTPError as e:
            raise AssertionError(f"query failed ({e.code}): {expr}\n{e.read().decode()}")
        if reply.get("status") != "success":
            raise AssertionError(f"query failed: {expr}: {reply}")
        return reply["data"]

    def series(self, match):
        url = self.base + "/api/v1/series?" + urllib.parse.urlencode({"match[]": match})
        return json.loads(http_get(url))["data"]


def prometheus_config(scrape_targets, rules_file, alertmanager_port=None):
    """The example deploy/prometheus/prometheus.yml with loopback targets and 1s intervals."""
    with open(os.path.join(DEPLOY, "prometheus", "prometheus.yml")) as f:
        cfg = yaml.safe_load(f)
    cfg["global"]["scrape_interval"] = "1s"
    cfg["global"]["evaluation_interval"] = "1s"
    cfg["rule_files"] = [rules_file]
    job = next(j for j in cfg["scrape_configs"] if j["job_name"] == "ibackupmon")
    job["static_configs"] = [{"targets": [f"127.0.0.1:{port}"], "labels": {"host": host}}
                             for host, port in scrape_targets]
    if alertmanager_port:
        cfg["alerting"]["alertmanagers"] = [
            {"static_configs": [{"targets": [f"127.0.0.1:{alertmanager_port}"]}]}]
    else:
        del cfg["alerting"]
    return cfg


def start_prometheus(procs, cfg, extra_args=()):
    path = os.path.join(procs.dir, "prometheus.yml")
    with open(path, "w") as f:
        yaml.safe_dump(cfg, f)
    port = free_port()
    procs.start("prometheus", [os.environ.get("PROMETHEUS", "prometheus"),
                               f"--config.file={path}",
                               f"--storage.tsdb.path={os.path.join(procs.dir, 'tsdb')}",
                               f"--web.listen-address=127.0.0.1:{port}", *extra_args])
    api = PrometheusApi(port)
    wait_for("Prometheus ready", lambda: (procs.check_alive(), api.ready())[1], timeout=60)
    return api


def alertmanager_config(smtp_port, group_interval_s=2):
    """deploy's example route, unchanged but for the loopback smarthost and short waits."""
    with open(os.path.join(DEPLOY, "alertmanager", "alertmanager.yml")) as f:
        cfg = yaml.safe_load(f)
    cfg["global"]["smtp_smarthost"] = f"127.0.0.1:{smtp_port}"
    cfg["global"]["smtp_require_tls"] = False
    cfg["route"].update(group_wait="1s", group_interval=f"{group_interval_s}s",
                        repeat_interval="1h")
    return cfg


def start_alertmanager(procs, cfg, port=None):
    """Debian's alertmanager on loopback with cfg (on port, default a free one); returns its port
    once it is ready."""
    path = os.path.join(procs.dir, "alertmanager.yml")
    with open(path, "w") as f:
        yaml.safe_dump(cfg, f)
    port = port or free_port()
    procs.start("alertmanager", [os.environ.get("ALERTMANAGER") or "prometheus-alertmanager",
                                 f"--config.file={path}",
                                 f"--storage.path={os.path.join(procs.dir, 'am-data')}",
                                 f"--web.listen-address=127.0.0.1:{port}",
                                 "--cluster.listen-address="])  # no gossip port on 0.0.0.0
    wait_for("Alertmanager ready",
             lambda: (procs.check_alive(), http_get(f"http://127.0.0.1:{port}/-/ready"))[1])
    return port


def rules_copy(procs, for_duration=None):
    """deploy's rule file, optionally with every `for:` replaced (alerts fire at once in tests)."""
    with open(os.path.join(DEPLOY, "prometheus", "ibackupmon.rules.yml")) as f:
        rules = yaml.safe_load(f)
    if for_duration is not None:
        for group in rules["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    rule["for"] = for_duration
    path = os.path.join(procs.dir, "rules.yml")
    with open(path, "w") as f:
        yaml.safe_dump(rules, f)
    return path, rules


# ---- The exposition format, read back, and its agreement with `ibackupmonctl status --json`.

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')


def parse_exposition(text):
    """[(name, {label: value}, float)] of every sample; fails on a line it cannot read."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        assert m, f"unreadable exposition line: {line!r}"
        labels, rest = {}, m.group(2) or ""
        while rest:
            lm = _LABEL.match(rest)
            assert lm, f"unreadable labels in: {line!r}"
            labels[lm.group(1)] = (lm.group(2).replace(r"\n", "\n").replace(r'\"', '"')
                                   .replace("\\\\", "\\"))
            rest = rest[lm.end():]
        samples.append((m.group(1), labels, float(m.group(3))))
    return samples


def sanitized(text, max_bytes=256):
    """Python twin of core's sanitizeDeviceString for text that is already valid UTF-8."""
    kept = "".join(c for c in text if not (ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f)).strip()
    raw = kept.encode()[:max_bytes]
    return raw.decode(errors="ignore")


def _epoch(rfc3339):
    return datetime.datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


def check_metrics_match_status(metrics_text, statuses):
    """Asserts that every device of `ibackupmonctl status --json` has the same values in the
    metrics, and that the metrics have no device the status lacks. Returns the devices checked."""
    by_name = {}
    for name, labels, value in parse_exposition(metrics_text):
        by_name.setdefault(name, []).append((labels, value))

    def value(name, udid, **extra):
        found = [v for labels, v in by_name.get(name, [])
                 if labels.get("udid") == udid and all(labels.get(k) == x for k, x in extra.items())]
        assert len(found) <= 1, f"{name}{{udid={udid}}} has {len(found)} series"
        return found[0] if found else None

    udids = {labels["udid"] for labels, _ in by_name.get("ibackupmon_device_info", [])}
    assert udids == {sanitized(s["udid"]) for s in statuses}, "devices differ from status --json"
    for s in statuses:
        u = sanitized(s["udid"])
        expect = {
            "ibackupmon_device_connected": 1.0 if s["connected"] else 0.0,
            "ibackupmon_backup_icloud_enabled": None if s["icloud_backup_enabled"] is None
            else float(s["icloud_backup_enabled"]),
            "ibackupmon_battery_level_ratio": None if s["battery_level"] is None
            else s["battery_level"] / 100,
            "ibackupmon_battery_external_power": None if s["on_power"] is None
            else float(s["on_power"]),
            "ibackupmon_backup_stale": {"ok": 0.0, "stale": 1.0, "unknown": None}[s["backup_state"]],
        }
        for name, want in expect.items():
            assert value(name, u) == want, f"{u}: {name} is {value(name, u)}, status says {want}"
        for field, name, extra in [
                ("last_seen", "ibackupmon_device_last_seen_timestamp_seconds", {}),
                ("last_cloud_backup", "ibackupmon_backup_last_success_timestamp_seconds",
                 {"kind": "icloud"}),
                ("last_computer_backup", "ibackupmon_backup_last_success_timestamp_seconds",
                 {"kind": "computer"})]:
            got = value(name, u, **extra)
            if s[field] is None:
                assert got is None, f"{u}: {name} {extra} should be absent"
            else:  # status has whole seconds, metrics keep the fraction
                assert got is not None and abs(got - _epoch(s[field])) < 1, \
                    f"{u}: {name} {extra} = {got}, status says {s[field]}"
        open_ids = {labels["condition"] for labels, v in by_name["ibackupmon_condition_active"]
                    if labels["udid"] == u and v == 1}
        assert open_ids == {c["id"] for c in s["conditions"]}, \
            f"{u}: open conditions {sorted(open_ids)} vs status {[c['id'] for c in s['conditions']]}"
        info = [labels for labels, _ in by_name["ibackupmon_device_info"] if labels["udid"] == u][0]
        for key in ("name", "product_type", "ios_version"):
            want = s[key] or ""
            if "\ufffd" not in want:  # invalid UTF-8 is replaced differently by JSON and metrics
                got = info.get(key)  # unknown: no label at all, never an empty one
                assert got == (sanitized(want) or None), f"{u}: {key} {got!r} vs {want!r}"
    return len(statuses)
