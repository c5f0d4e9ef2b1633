"""Checks of generated reports, as a reader would meet them (used by the tests).

* :func:`crawl` reads every HTML file under a reports folder and returns the problems: a local
  link or image that does not resolve, a link to a ``.ipynb`` file, a ``<title>`` that is
  missing or "Notebook", literal Markdown markers in text a reader sees (``**bold**``,
  ``[text](link)``, ``# heading`` — Markdown that was printed instead of rendered), and table
  cells with more than :data:`MAX_DECIMALS` decimals.
* :func:`browser_check` renders pages in headless Chromium (Debian's ``chromium``) and returns
  the images that do not load. :func:`find_chromium` says whether it is installed.

Run both on a reports folder: ``python -m crm_research.reporting.check reports/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

MAX_DECIMALS = 4
_MARKDOWN = [
    (re.compile(r"\*\*[^\s*][^*\n]{0,200}?\*\*"), "bold markers **…**"),
    (re.compile(r"(?<![\w!])\[[^\]\n]{1,200}\]\([^)\s]{1,300}\)"), "a Markdown link [..](..)"),
    (re.compile(r"(?m)^#{1,6} \S"), "a Markdown heading (# …)"),
]
_DECIMALS = re.compile(rf"(?<![\w.])[-+−]?\d[\d,]*\.\d{{{MAX_DECIMALS + 1},}}(?![\w.])")
_SKIP_SCHEMES = ("http", "https", "mailto", "data", "javascript", "tel", "ftp")


def _local_target(page: Path, ref: str) -> Path | None:
    ref = ref.strip()
    if not ref or ref.startswith("#") or ref.startswith("//"):
        return None
    parts = urlsplit(ref)
    if parts.scheme in _SKIP_SCHEMES or (parts.scheme and len(parts.scheme) > 1):
        return None
    if not parts.path:
        return None
    return (page.parent / unquote(parts.path)).resolve()


def _reader_text(soup) -> list[str]:
    """Text a reader sees outside code: input cells, code, scripts and styles removed."""
    for sel in (".jp-InputArea", ".jp-Cell-inputWrapper", "script", "style", "code", "head"):
        for el in soup.select(sel):
            el.decompose()
    return [t for t in soup.stripped_strings]


def check_page(path: Path) -> list[str]:
    """Problems of one HTML page (see the module docstring)."""
    from bs4 import BeautifulSoup

    path = Path(path)
    soup = BeautifulSoup(path.read_text(encoding="utf-8", errors="replace"), "html.parser")
    out = []
    title = soup.title.get_text(strip=True) if soup.title else ""
    if not title or title.lower() == "notebook":
        out.append(f"{path}: <title> is {title or 'missing'!r}")
    for tag, attr in (
        ("a", "href"),
        ("img", "src"),
        ("link", "href"),
        ("script", "src"),
        ("iframe", "src"),
        ("source", "src"),
    ):
        for el in soup.find_all(tag):
            ref = el.get(attr)
            if not ref:
                continue
            target = _local_target(path, ref)
            if target is None:
                continue
            if target.suffix == ".ipynb":
                out.append(f"{path}: links to a notebook file {ref!r} (link the HTML report)")
            elif not target.exists():
                out.append(f"{path}: <{tag} {attr}={ref!r}> does not resolve")
    for cell in soup.find_all(["td", "th"]):
        text = cell.get_text(" ", strip=True)
        m = _DECIMALS.search(text)
        if m:
            out.append(f"{path}: table cell {text[:60]!r} has more than {MAX_DECIMALS} decimals")
    for text in _reader_text(soup):
        for rx, what in _MARKDOWN:
            m = rx.search(text)
            if m:
                out.append(f"{path}: literal Markdown ({what}) in the text: {m.group(0)[:60]!r}")
                break
    return out


def crawl(root: Path) -> list[str]:
    """Problems of every HTML file under ``root`` (hidden folders skipped)."""
    root = Path(root)
    pages = [
        p
        for p in sorted(root.rglob("*.html"))
        if not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    if not pages:
        return [f"{root}: no HTML files"]
    return [problem for p in pages for problem in check_page(p)]


# ------------------------------------------------------------------------------------------------
# the browser


def find_chromium() -> str | None:
    """The path of a headless-capable Chromium or Chrome, or None (install Debian's
    ``chromium``: ``make chromium``)."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


_PROBE = """<script>
window.addEventListener('load', function () {
  setTimeout(function () {
    var bad = [];
    Array.prototype.forEach.call(document.images, function (i) {
      if (!(i.complete && i.naturalWidth > 0)) { bad.push(i.getAttribute('alt') || (i.getAttribute('src') || '').slice(0, 80)); }
    });
    var d = document.createElement('pre'); d.id = 'crm-check-result';
    d.textContent = JSON.stringify({images: document.images.length, broken: bad});
    document.body.appendChild(d);
  }, 50);
});
</script>"""


def browser_check(
    pages: list[Path], *, chromium: str | None = None, timeout_s: float = 90
) -> list[str]:
    """Render each page in headless Chromium and return the problems: images that do not load
    (``naturalWidth`` 0 after the load event), or a page that never finished loading. A probe
    copy of each page is written beside it (so relative links resolve) and removed."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError("chromium is not installed (make chromium)")
    out = []
    with tempfile.TemporaryDirectory(prefix="crm-chromium-") as profile:
        for page in pages:
            page = Path(page).resolve()
            probe = page.with_name(f".crmcheck-{page.name}")
            text = page.read_text(encoding="utf-8", errors="replace")
            i = text.lower().rfind("</body>")
            probe.write_text(
                text[:i] + _PROBE + text[i:] if i >= 0 else text + _PROBE, encoding="utf-8"
            )
            try:
                cmd = [
                    chromium,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    f"--user-data-dir={profile}",
                    "--allow-file-access-from-files",
                    "--virtual-time-budget=15000",
                    "--dump-dom",
                    probe.as_uri(),
                ]
                r = subprocess.run(
                    cmd,
                    capture_output=True,
                    text=True,
                    timeout=timeout_s,
                    env=os.environ | {"LANG": "C.UTF-8"},
                )
            except subprocess.TimeoutExpired:
                out.append(f"{page}: chromium did not finish within {timeout_s:.0f} s")
                continue
            finally:
                probe.unlink(missing_ok=True)
            m = re.search(r'<pre id="crm-check-result">(.*?)</pre>', r.stdout, re.S)
            if not m:
                out.append(
                    f"{page}: the page did not finish loading in chromium ({(r.stderr or '').strip()[-200:]})"
                )
                continue
            res = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
            out += [f"{page}: image {b!r} does not load" for b in res["broken"]]
    return out


def screenshot(
    page: Path, png: Path, *, width: int = 1280, height: int = 2000, chromium: str | None = None
) -> Path:
    """A PNG screenshot of ``page`` (for looking at a report as a reader would)."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError("chromium is not installed (make chromium)")
    with tempfile.TemporaryDirectory(prefix="crm-chromium-") as profile:
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={png}",
                Path(page).resolve().as_uri(),
            ],
            capture_output=True,
            timeout=90,
            check=True,
        )
    return Path(png)


def main(argv: list[str] | None = None) -> int:
    """``python -m crm_research.reporting.check REPORTS_DIR``: crawl, then the browser check."""
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m crm_research.reporting.check REPORTS_DIR", file=sys.stderr)
        return 2
    root = Path(args[0])
    problems = crawl(root)
    if find_chromium():
        problems += browser_check(
            [p for p in sorted(root.rglob("*.html")) if ".crmcheck-" not in p.name]
        )
    else:
        print("chromium is not installed: browser check skipped (make chromium)", file=sys.stderr)
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
