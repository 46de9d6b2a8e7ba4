"""The API reference page at /docs, opened in headless Chromium (Debian's chromium package):
after its script has run, the rendered DOM lists the endpoints as operations. The page has no
prerendered content, so an endpoint in the DOM proves that Redoc ran, under the page's
Content-Security-Policy, which lets nothing load from the network."""

import html.parser
import os
import shutil
import subprocess

import pytest

import openapi_doc as doc
from conftest import Service, stop_and_check
from e2e_helpers import AUTH, DETAILS

CHROMIUM = os.environ.get("DESKBRIDGE_CHROMIUM") or shutil.which("chromium")
RENDER_TIMEOUT_S = 90


class Operations(html.parser.HTMLParser):
    """Collects (method, path) of every operation heading Redoc renders: a span with the class
    "http-verb" holding the method, followed by the span holding the path."""

    def __init__(self):
        super().__init__()
        self.operations = []
        self._verb = None
        self._in_verb = False
        self._want_path = False

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "span" and "http-verb" in classes:
            self._in_verb = True
        elif tag == "span" and self._want_path:
            self._want_path = "reading"

    def handle_data(self, data):
        if self._in_verb:
            self._verb = data.strip().upper()
        elif self._want_path == "reading":
            self.operations.append((self._verb, data.strip()))
            self._want_path = False

    def handle_endtag(self, tag):
        if tag == "span" and self._in_verb:
            self._in_verb = False
            self._want_path = True


def rendered_dom(url, tmp_path):
    assert CHROMIUM, "chromium is not installed (scripts/install-deps.sh installs it)"
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'chromium-profile'}",
            "--virtual-time-budget=15000", "--dump-dom", url]
    result = subprocess.run(args, capture_output=True, text=True, timeout=RENDER_TIMEOUT_S,
                            env=dict(os.environ, HOME=str(tmp_path)))
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def operations_in(page):
    parser = Operations()
    parser.feed(page)
    return parser.operations


@pytest.fixture(scope="module")
def docs_url(tmp_path_factory):
    """A server of its own on an empty SQLite database: the page is the same for any engine."""
    workdir = tmp_path_factory.mktemp("docs_page")
    svc = Service(f"sqlite:{workdir / 'docs.db'}", workdir).start()
    yield f"http://127.0.0.1:{svc.port}/docs"
    stop_and_check(svc)


@pytest.fixture(scope="module")
def operations(docs_url, tmp_path_factory):
    return operations_in(rendered_dom(docs_url, tmp_path_factory.mktemp("chromium")))


def test_page_renders_both_endpoints(operations):
    assert ("GET", DETAILS) in operations, operations
    assert ("POST", AUTH) in operations and ("GET", AUTH) in operations, operations


def test_page_renders_every_documented_operation(operations):
    documented = {(method, template) for method, template, _ in doc.all_operations()}
    assert set(operations) == documented


def test_operations_appear_only_once_the_script_ran():
    page = (doc.REPO / "docs" / "api-reference.html").read_text(encoding="utf-8")
    assert operations_in(page) == []
