"""Serve the bundled demo site (seeds/demo/) on loopback, the way WordPress would.

- `/news/x/` serves `news/x/index.html` (or `index.xml` for the feed);
- `__BASE_URL__` in XML and robots.txt becomes this server's own URL;
- `/?p=<id>` redirects (301) to the article, like a WordPress short link;
- every page has an `ETag` and a `Last-Modified`, and a conditional request
  (`If-None-Match`, `If-Modified-Since`) for an unchanged page gets a 304;
- anything missing is a 404 with the site's 404 page.

Run it alone with `python -m newsdb.demo_site [PORT]`.
"""

from __future__ import annotations

import hashlib
import re
import sys
import threading
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

DEMO_ROOT = Path(__file__).resolve().parent.parent / "seeds" / "demo"
_TYPES = {".html": "text/html", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
          ".jpg": "image/jpeg", ".png": "image/png", ".css": "text/css"}
_TEMPLATED = {".xml", ".txt"}


def not_modified(request_headers, validators: dict[str, str]) -> bool:
    """Whether a conditional request may get a 304 (RFC 9110: If-None-Match decides
    when present, else If-Modified-Since). `validators` holds ETag and Last-Modified."""
    etags = request_headers.get("If-None-Match")
    if etags is not None:
        return validators["ETag"] in {tag.strip() for tag in etags.split(",")} or etags.strip() == "*"
    since = request_headers.get("If-Modified-Since")
    if since:
        try:
            return parsedate_to_datetime(validators["Last-Modified"]) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


class DemoHandler(BaseHTTPRequestHandler):
    server_version = "newsdb-demo"
    root: Path = DEMO_ROOT

    def log_message(self, format, *args):  # quiet: the crawl prints its own progress
        pass

    def _base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def _resolve(self, path: str) -> Path | None:
        target = (self.root / unquote(path).lstrip("/")).resolve()
        if self.root not in target.parents and target != self.root:
            return None  # no escaping the site folder
        if target.is_dir():
            for index in ("index.html", "index.xml"):
                if (target / index).is_file():
                    return target / index
            return None
        return target if target.is_file() else None

    def _send(self, status: int, body: bytes, content_type: str, head_only: bool, extra: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def _short_link(self, post_id: str) -> str | None:
        for candidate in sorted((self.root / "news").glob(f"*-{post_id}")):
            if re.fullmatch(rf"[a-z0-9-]+-{post_id}", candidate.name):
                return f"/news/{candidate.name}/"
        return None

    def _serve(self, head_only: bool) -> None:
        parts = urlsplit(self.path)
        post_id = parse_qs(parts.query).get("p", [None])[0]
        if parts.path in ("", "/") and post_id:
            location = self._short_link(post_id) if post_id.isdigit() else None
            if location:
                return self._send(301, b"", "text/html", head_only, {"Location": self._base_url() + location})
        path = self._resolve(parts.path)
        if path is None:
            missing = self.root / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"Not found"
            return self._send(404, body, "text/html", head_only)
        body = path.read_bytes()
        if path.suffix in _TEMPLATED:
            body = body.replace(b"__BASE_URL__", self._base_url().encode())
        content_type = _TYPES.get(path.suffix, "application/octet-stream")
        if path.parent.name == "feed":
            content_type = "application/rss+xml"
        validators = {"ETag": f'"{hashlib.sha1(body).hexdigest()[:16]}"',
                      "Last-Modified": formatdate(int(path.stat().st_mtime), usegmt=True)}
        if not_modified(self.headers, validators):
            return self._send(304, b"", content_type, True, validators)
        self._send(200, body, content_type, head_only, validators)

    def do_GET(self):
        self._serve(head_only=False)

    def do_HEAD(self):
        self._serve(head_only=True)


def serve_demo(port: int = 0, root: Path = DEMO_ROOT) -> tuple[ThreadingHTTPServer, str]:
    """Start the demo site in a background thread; returns (server, base URL)."""
    handler = type("Handler", (DemoHandler,), {"root": root.resolve()})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="newsdb-demo-site", daemon=True).start()
    host, bound = server.server_address[:2]
    return server, f"http://{host}:{bound}"


if __name__ == "__main__":
    server, url = serve_demo(int(sys.argv[1]) if len(sys.argv) > 1 else 8089)
    print(f"demo site on {url}/ (Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()
