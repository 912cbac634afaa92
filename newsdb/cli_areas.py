"""Register the command modules of each area with the `newsdb` group.

One import per area keeps cli.py small (sqlite-utils' 3.8k-line cli.py is the
cautionary tale); each module defines its commands with `@cli.command()`.
"""
from newsdb import cli_query  # noqa: F401
from newsdb import cli_quotes  # noqa: F401
from newsdb import cli_archive  # noqa: F401
