"""Shared helpers of the monitoring-kit integration tests: free ports, processes that are always
stopped, polling with deadlines, the Prometheus HTTP API, and config files derived from deploy/."""
import json
import os
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


class Processes:
    """Starts processes with logs in a temp dir and always stops them (SIGTERM, then SIGKILL)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ibackupmon-kit-")
        self.procs = []

    def start(self, name, argv):
        log = open(os.path.join(self.dir, name + ".log"), "wb")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=self.dir)
        self.procs.append((name, p, log))
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
        for name, p, log in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
            log.close()
        if exc_type is not None:
            for name, _, _ in self.procs:
                sys.stderr.write(f"--- {name} log (tail)\n{self.log(name)[-2000:]}\n")
        shutil.rmtree(self.dir, ignore_errors=True)
        return False


def start_fixture(procs, name, scenario, extra=()):
    port_file = os.path.join(procs.dir, name + ".port")
    procs.start(name, [os.environ["FIXTURE"], "--scenario", scenario, "--port-file", port_file,
                       *extra])
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


def start_prometheus(procs, cfg):
    path = os.path.join(procs.dir, "prometheus.yml")
    with open(path, "w") as f:
        yaml.safe_dump(cfg, f)
    port = free_port()
    procs.start("prometheus", [os.environ.get("PROMETHEUS", "prometheus"),
                               f"--config.file={path}",
                               f"--storage.tsdb.path={os.path.join(procs.dir, 'tsdb')}",
                               f"--web.listen-address=127.0.0.1:{port}"])
    api = PrometheusApi(port)
    wait_for("Prometheus ready", lambda: (procs.check_alive(), api.ready())[1], timeout=60)
    return api


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
