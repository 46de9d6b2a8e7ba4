"""Background load for the fault-injection suites (test_faults_*.py): worker threads that send
one request after another until stopped, recording what each answer was and how long it took,
so a test can inject a fault mid-load and then judge every answer given around it."""

import http.client
import json
import os
import threading
import time

import zoho_data as zd

# Sanitizer builds run several times slower: scripts/test-extra.sh sets this factor, and the
# fault suites stretch their time bounds (never their expectations) by it.
TIME_FACTOR = float(os.environ.get("DESKBRIDGE_TEST_TIME_FACTOR", "1"))


class Answer:
    __slots__ = ("phase", "status", "body", "seconds", "error", "started")

    def __init__(self, phase, status, body, seconds, error=None, started=0.0):
        self.phase, self.status, self.body = phase, status, body
        self.seconds, self.error, self.started = seconds, error, started

    def __repr__(self):
        text = self.error or json.dumps(self.body, ensure_ascii=False)[:160]
        return f"<{self.phase} {self.status} {self.seconds:.2f}s {text}>"


def post_json(port, path, body, timeout=30):
    """One request on a new connection: (status, parsed body or None)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, body=json.dumps(body).encode("utf-8"))
        res = conn.getresponse()
        raw = res.read()
        return res.status, json.loads(raw) if raw else None
    finally:
        conn.close()


class Load:
    """`workers` threads, each calling make_body(i) and sending it to `path` on `port`.

    Transport errors (refused, reset, timed out) are recorded as status None with the error;
    phase() labels the answers that start after it, so a test can tell the answers given
    during a fault from the ones before and after it.
    """

    def __init__(self, port, make_body, workers=6, path="/api/get/ticket_details", pause=0.0):
        self.port, self.make_body, self.path, self.pause = port, make_body, path, pause
        self.answers = []
        self._phase = "start"
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                         for i in range(workers)]

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=60)

    def phase(self, name):
        with self._lock:
            self._phase = name

    def of(self, phase):
        with self._lock:
            return [a for a in self.answers if a.phase == phase]

    def _run(self, worker):
        i = worker
        while not self._stop.is_set():
            with self._lock:
                phase = self._phase
            start = time.monotonic()
            try:
                status, body = post_json(self.port, self.path, self.make_body(i))
                answer = Answer(phase, status, body, time.monotonic() - start, None, start)
            except (OSError, http.client.HTTPException) as exc:
                answer = Answer(phase, None, None, time.monotonic() - start,
                                f"{type(exc).__name__}: {exc}", start)
                time.sleep(0.02)  # a refused connection returns at once: do not spin
            with self._lock:
                self.answers.append(answer)
            i += len(self._threads)
            if self.pause:
                time.sleep(self.pause)


def assert_healthy_fast(svc):
    """The health check needs neither Zoho nor the database: it answers at once, fault or not."""
    start = time.monotonic()
    assert svc.request("GET", "/healthz")[0] == 200
    assert time.monotonic() - start < TIME_FACTOR


def cached_mixed_load_body(svc, tickets):
    """Caches each Zoho fixture ticket, then returns a Load body that asks for them in turn as
    staff, every other request with refresh=1 (a Zoho read and a write-back)."""
    for n in tickets:
        svc.ok(n)

    def body(i):
        n = tickets[i % len(tickets)]
        return {"auth": svc.staff, "chamado_id": zd.chamado(n), "refresh": i % 2}

    return body
