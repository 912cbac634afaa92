"""newsdb: crawl, archive, re-parse and query Russian-language news sites.

The code lives in three stages of one path (see DESIGN.md):
crawler/ (fetch + extract), pipelines/ (normalize, quotes, related links),
storage/ (SQLAlchemy models, migrations, queries). This package holds the
command line and the glue that runs the path outside Scrapy.
"""

__version__ = "0.1.0"
