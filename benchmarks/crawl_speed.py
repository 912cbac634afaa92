"""Crawl throughput: `newsdb crawl` against plain Scrapy on the same loopback site.

A bench server mirrors the demo site's article pages K times under distinct
post ids (so newsdb stores K x 42 articles), with one sitemap listing them all.
The baseline is a bare Scrapy spider that fetches the same sitemap URLs with the
same concurrency and does nothing with the pages; newsdb additionally archives,
extracts, normalizes, finds quotes and related links, and stores into SQLite.

    python benchmarks/crawl_speed.py [--copies 20] [--runs 3]

Both crawls run in fresh subprocesses; figures are pages/s, median of --runs.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "seeds" / "demo"
ARTICLES = {m.group(2): p for p in (DEMO / "news").iterdir()
            if (m := re.fullmatch(r"([a-z0-9-]+)-(\d+)", p.name)) and not p.name.startswith("video-")}
SETTINGS = {"CONCURRENT_REQUESTS": "16", "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "DOWNLOAD_DELAY": "0",
            "AUTOTHROTTLE_ENABLED": "False", "ROBOTSTXT_OBEY": "False", "LOG_LEVEL": "WARNING"}


def make_handler(copies: int):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/sitemap.xml":
                locs = "".join(
                    f"<url><loc>{base}/news/{folder.name.rsplit('-', 1)[0]}-{copy}{post_id}/</loc></url>"
                    for copy in range(1, copies + 1) for post_id, folder in ARTICLES.items()
                )
                body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
                return self._send(body.encode(), "application/xml")
            match = re.fullmatch(r"/news/[a-z0-9-]+-(\d+?)(\d{7})/", self.path)
            if match and match.group(2) in ARTICLES:
                copy, post_id = match.groups()
                body = (ARTICLES[post_id] / "index.html").read_bytes()
                # Each copy is its own article: its canonical URL carries the copy's id.
                return self._send(body.replace(post_id.encode(), (copy + post_id).encode()), "text/html")
            self.send_response(404)
            self.end_headers()

        def _send(self, body: bytes, content_type: str):
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


PLAIN_SPIDER = textwrap.dedent("""
    import sys
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class Plain(scrapy.spiders.SitemapSpider):
        name = "plain"
        sitemap_urls = [sys.argv[1] + "/sitemap.xml"]
        def parse(self, response):
            self.crawler.stats.inc_value("bench/pages")

    settings = dict(arg.split("=", 1) for arg in sys.argv[2:])
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(Plain)
    process.crawl(crawler)
    process.start()
    print(crawler.stats.get_value("bench/pages", 0))
""")


def profile_for(base: str, folder: Path) -> Path:
    path = folder / "bench.toml"
    demo = (ROOT / "seeds" / "sites" / "demo.toml").read_text(encoding="utf-8")
    demo = re.sub(r'(?m)^name = "demo"', 'name = "bench"', demo)
    demo = re.sub(r"(?m)^feeds = .*$", "feeds = []", demo)
    demo = re.sub(r"(?m)^listings = .*$", "listings = []", demo)
    demo = re.sub(r"(?m)^follow_article_links = true", "follow_article_links = false", demo)
    path.write_text(demo.replace('base_url = "http://127.0.0.1:8089"', f'base_url = "{base}"'), encoding="utf-8")
    return path


def timed(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"failed: {' '.join(command)}\n{result.stderr}")
    return time.perf_counter() - started, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20, help="mirror the demo articles this many times")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(args.copies))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    pages = args.copies * len(ARTICLES)
    plain, newsdb = [], []
    with tempfile.TemporaryDirectory() as tmp:
        spider = Path(tmp) / "plain.py"
        spider.write_text(PLAIN_SPIDER, encoding="utf-8")
        profile = profile_for(base, Path(tmp))
        settings = [f"{k}={v}" for k, v in SETTINGS.items()]
        for run in range(args.runs):
            seconds, out = timed([sys.executable, str(spider), base, *settings])
            assert int(out.strip().splitlines()[-1]) == pages, out
            plain.append(pages / seconds)
            db = f"sqlite:///{tmp}/run{run}.sqlite"
            flags = [x for pair in SETTINGS.items() for x in ("-s", "=".join(pair))]
            seconds, out = timed([sys.executable, "-m", "newsdb", "crawl", str(profile), "--db", db, *flags])
            assert f"bench: {pages} articles" in out, out
            newsdb.append(pages / seconds)
    server.shutdown()

    p, n = statistics.median(plain), statistics.median(newsdb)
    print(f"pages: {pages} article pages ({args.copies} copies of {len(ARTICLES)}), runs: {args.runs}, whole process timed")
    print(f"plain Scrapy (fetch only):                 {p:7.1f} pages/s")
    print(f"newsdb crawl (archive+extract+store SQLite): {n:7.1f} pages/s   ratio {n / p:.2f}x of plain Scrapy")


if __name__ == "__main__":
    main()
