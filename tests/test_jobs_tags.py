"""Two workers storing articles of two sites at once, on the real PostgreSQL: a tag both
create is made once, and neither article fails (tags are shared by every site)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from storage import api
from storage import models as m
from storage.db import open_database
from tests.conftest import fresh_pg_database
from tests.test_jobs import query, wait_for
from tests.test_storage_api import make_article


def test_two_sites_creating_one_tag_at_once_both_store_their_article():
    with fresh_pg_database("newsdb_test_jobs_tags") as url, open_database(url) as db:
        first = db.new_session()
        first.begin()
        api.upsert_article(first, make_article(site="caravan", tags=["Энергетика", "Астана"]))
        first.flush()  # the new tags are written, not yet committed

        errors: list[BaseException] = []

        def second_site() -> None:
            try:
                with db.session() as session:
                    api.upsert_article(session, make_article(site="demo", tags=["Астана", "Энергетика"]))
            except BaseException as error:  # noqa: BLE001 - reported by the test below
                errors.append(error)

        other = threading.Thread(target=second_site)
        other.start()
        # The second writer waits on the first one's new tag rows...
        wait_for(lambda: query(url, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                    "AND wait_event_type = 'Lock'")[0][0] >= 1, "the second writer waiting")
        first.commit()  # ...and goes on once they are committed
        first.close()
        other.join(timeout=60)
        assert not other.is_alive() and errors == []

        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(m.Tag)) == 2
            for site in ("caravan", "demo"):
                article = session.scalars(select(m.Article).join(m.Site).where(m.Site.name == site)).one()
                assert sorted(link.tag.name for link in article.tag_links) == ["Астана", "Энергетика"]
