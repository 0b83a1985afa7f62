"""Automated checks of a report's HTML, and rendering it in headless Chromium.

:func:`check_report` is what ``make reports`` runs on every page: the report must open
from disk with no network (no external URL in any ``src``/``href`` of a script, style
sheet, image or frame, no ``url()``/``@import`` to the network in CSS, no script at all),
show no code, prompts, tracebacks or stderr, stay under its size budget (a township report
< 3 MB) and contain the text it is about (the township's Chinese name).

:func:`render_in_chromium` opens an HTML file in Debian's ``chromium`` (headless, fresh
profile, network disabled by an unreachable proxy and a resolver that resolves nothing)
and returns the DOM, the console errors and, on request, a screenshot.
"""

from __future__ import annotations

import html as htmlmod
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from zzeval.errors import ZzevalError

#: Size budget of a township report [bytes] (project issue 5: "under 3 MB").
DEFAULT_MAX_BYTES = 3_000_000

#: (tag, attribute) pairs that make the browser fetch something.
RESOURCE_ATTRS: dict[str, tuple[str, ...]] = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}

_EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//|^\s*(?:https?|ftp|ws|wss):", re.I)
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)", re.I)
_CSS_IMPORT = re.compile(r"@import\s+(?:url\()?\s*['\"]?([^'\");\s]+)", re.I)

#: Class names nbconvert gives to code and prompts; none may appear in a report.
CODE_CLASSES = ("jp-InputArea-editor", "jp-CodeMirrorEditor", "input_area", "jp-InputPrompt",
                "jp-OutputPrompt", "input_prompt", "output_prompt")


def is_external(url: str) -> bool:
    """True if ``url`` reaches the network (``http:``, ``https:``, ``//host``, ``ftp:`` …).

    ``data:`` URIs, fragments and relative paths are local.
    """
    return bool(_EXTERNAL.match(url or ""))


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.scripts = 0
        self.html_lang: str | None = None
        self.classes: set[str] = set()
        self._in_style = False
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        tag = tag.lower()
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "script":
            self.scripts += 1
            self._in_script = True
        if tag == "style":
            self._in_style = True
        for attr in RESOURCE_ATTRS.get(tag, ()):
            val = a.get(attr)
            if not val:
                continue
            urls = [u.strip().split(" ")[0] for u in val.split(",")] if attr == "srcset" else [val]
            for u in urls:
                if is_external(u):
                    self.problems.append(f"external URL in <{tag} {attr}>: {u[:120]}")
        if "style" in a:
            self._check_css(a["style"], f"style attribute of <{tag}>")
        for c in a.get("class", "").split():
            self.classes.add(c)
        if tag == "div" and a.get("data-mime-type") == "application/vnd.jupyter.stderr":
            self.problems.append("a stderr output is shown (warnings or messages on stderr)")

    def handle_endtag(self, tag):
        if tag.lower() == "style":
            self._in_style = False
        if tag.lower() == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_style:
            self._check_css(data, "<style>")
        elif not self._in_script:
            self.text.append(data)

    def _check_css(self, css: str, where: str) -> None:
        for u in _CSS_URL.findall(css) + _CSS_IMPORT.findall(css):
            if is_external(u):
                self.problems.append(f"external URL in CSS ({where}): {u[:120]}")


def check_report(
    html: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    required_text: Iterable[str] = (),
    allow_scripts: bool = False,
) -> list[str]:
    """Problems that make ``html`` unfit to publish; an empty list when it is fine.

    Parameters
    ----------
    html : str
        The whole document.
    max_bytes : int
        Size budget of the UTF-8 document [bytes]; default 3 MB (township report).
    required_text : iterable of str
        Texts that must appear in the page's visible text (e.g. the township's Chinese
        name); compared after HTML entities are decoded, so ``<`` in a name matches ``&lt;``.
    allow_scripts : bool
        Reports carry no JavaScript; any ``<script>`` (e.g. injected through a name that
        was not escaped) is a problem unless this is True.
    """
    problems: list[str] = []
    size = len(html.encode("utf-8"))
    if size > max_bytes:
        problems.append(f"size {size:,} bytes exceeds the budget of {max_bytes:,} bytes")
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    problems += scanner.problems
    if scanner.scripts and not allow_scripts:
        problems.append(f"{scanner.scripts} <script> element(s): reports must carry no JavaScript")
    if not scanner.html_lang:
        problems.append("the <html> element has no lang attribute")
    code = sorted(scanner.classes & set(CODE_CLASSES))
    if code:
        problems.append(f"code cells or prompts are shown (classes {', '.join(code)})")
    text = "".join(scanner.text)
    if "Traceback (most recent call last)" in text:
        problems.append("a Python traceback is shown")
    for needle in required_text:
        if needle not in text and htmlmod.escape(needle) not in html:
            problems.append(f"required text {needle!r} not found")
    return problems


# --------------------------------------------------------------------------- headless Chromium

#: Flags of every Chromium run: headless, no GPU, fresh profile, no background traffic,
#: and no network at all (unreachable proxy, host names resolve to nothing).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)

_CONSOLE = re.compile(r"CONSOLE|Uncaught|net::ERR_|Failed to load resource|Refused to", re.I)


@dataclass
class BrowserResult:
    """What a headless Chromium run saw."""

    dom: str
    log: str
    console_errors: list[str] = field(default_factory=list)
    #: non-file URLs the page itself tried to fetch (from Chromium's net log); must be empty
    network_requests: list[str] = field(default_factory=list)
    screenshot: Path | None = None


def page_requests_from_netlog(netlog: dict) -> list[str]:
    """URLs (other than ``file:``/``data:``) that a page opened from disk tried to load.

    Reads Chromium's ``--log-net-log`` JSON: ``URL_REQUEST_START_JOB`` events whose
    network-isolation key is the ``file://`` site are the page's own requests; Chromium's
    background traffic (update checks and the like) has other keys and is ignored.
    """
    types = {v: k for k, v in netlog.get("constants", {}).get("logEventTypes", {}).items()}
    out: list[str] = []
    for ev in netlog.get("events", []):
        if types.get(ev.get("type")) != "URL_REQUEST_START_JOB":
            continue
        p = ev.get("params", {})
        url = str(p.get("url", ""))
        if "file://" in str(p.get("network_isolation_key", "")) and not url.startswith(
            ("file:", "data:")
        ):
            out.append(url)
    return sorted(set(out))


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome binary on PATH (Debian's ``chromium`` first), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(
    binary: str, args: list[str], timeout: float
) -> tuple[subprocess.CompletedProcess, dict]:
    """Run Chromium with a fresh profile; return the process and its net log (parsed)."""
    with tempfile.TemporaryDirectory(prefix="zzeval-chromium-") as tmp:
        netlog = Path(tmp) / "netlog.json"
        cmd = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile",
               f"--log-net-log={netlog}", *args]
        try:
            proc = subprocess.run(cmd, capture_output=True, encoding="utf-8", errors="replace",
                                  timeout=timeout,
                                  stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ZzevalError(f"chromium did not finish within {timeout:.0f} s: {cmd!r}") from exc
        log: dict = {}
        if netlog.is_file():
            text = netlog.read_text(encoding="utf-8", errors="replace").rstrip().rstrip(",")
            try:
                log = json.loads(text if text.endswith("}") else text + "]}")
            except json.JSONDecodeError:
                log = {}
        return proc, log


def render_in_chromium(
    html_path: str | Path,
    *,
    screenshot: str | Path | None = None,
    window: tuple[int, int] = (1200, 2400),
    timeout: float = 90,
    binary: str | None = None,
) -> BrowserResult:
    """Open ``html_path`` in headless Chromium with the network disabled.

    Runs Chromium once with ``--dump-dom``, console logging to stderr
    (``--enable-logging=stderr --v=0``) and a net log, collecting console messages as
    ``console_errors`` and the page's attempts to reach the network as
    ``network_requests``; if ``screenshot`` is given, runs it again with
    ``--screenshot`` at ``window`` = (width, height) CSS px.

    Raises
    ------
    ZzevalError
        If no Chromium is installed (``apt-get install chromium``) or it fails.
    """
    binary = binary or find_chromium()
    if binary is None:
        raise ZzevalError("no Chromium found: install Debian's package (apt-get install chromium)")
    url = Path(html_path).resolve().as_uri()
    res, netlog = _run(binary, ["--enable-logging=stderr", "--v=0",
                                "--virtual-time-budget=5000", "--dump-dom", url], timeout)
    if res.returncode != 0 or "<html" not in res.stdout.lower():
        raise ZzevalError(
            f"chromium failed on {html_path} (exit {res.returncode}): {res.stderr[-2000:]}"
        )
    errors = [ln.strip() for ln in res.stderr.splitlines() if _CONSOLE.search(ln)]
    shot = None
    if screenshot is not None:
        shot = Path(screenshot).resolve()
        shot.parent.mkdir(parents=True, exist_ok=True)
        r2, _ = _run(binary, [f"--window-size={window[0]},{window[1]}", f"--screenshot={shot}",
                           "--virtual-time-budget=5000", url], timeout)
        if r2.returncode != 0 or not shot.is_file():
            raise ZzevalError(f"chromium could not screenshot {html_path}: {r2.stderr[-2000:]}")
    return BrowserResult(dom=res.stdout, log=res.stderr, console_errors=errors,
                         network_requests=page_requests_from_netlog(netlog), screenshot=shot)


def pdf_page_count(pdf: bytes) -> int:
    """Pages of a PDF: its ``/Type /Page`` objects (not ``/Pages``), as Chromium writes them."""
    import re

    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def print_pages(
    html_path: str | Path,
    *,
    pdf_path: str | Path | None = None,
    timeout: float = 120,
    binary: str | None = None,
) -> int:
    """Print ``html_path`` as headless Chromium does (``--print-to-pdf``, the page's own
    ``@page`` size: A4 for zzeval reports, no browser header or footer) and return the number
    of pages. The PDF is kept at ``pdf_path`` when given (look at it: ``pdftoppm -png``)."""
    binary = binary or find_chromium()
    if binary is None:
        raise ZzevalError("no Chromium found: install Debian's package (apt-get install chromium)")
    url = Path(html_path).resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix="zzeval-pdf-") as tmp:
        out = Path(pdf_path).resolve() if pdf_path else Path(tmp) / "page.pdf"
        out.parent.mkdir(parents=True, exist_ok=True)
        res, _ = _run(binary, [f"--print-to-pdf={out}", "--no-pdf-header-footer",
                               "--virtual-time-budget=5000", url], timeout)
        if res.returncode != 0 or not out.is_file():
            raise ZzevalError(f"chromium could not print {html_path}: {res.stderr[-2000:]}")
        return pdf_page_count(out.read_bytes())
