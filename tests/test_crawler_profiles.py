"""Site profiles: loading, errors, and one id for every URL form of an article."""

import pytest

from core.profiles import ProfileError, load_profile, parse_profile


@pytest.mark.parametrize("site", ["caravan", "demo"])
def test_profiles_load(site):
    profile = load_profile(site)
    assert profile.name == site and str(profile.timezone) == "Asia/Almaty"
    assert profile.sitemaps and profile.feeds and profile.listings


@pytest.mark.parametrize(
    "url, article_id",
    [
        ("https://www.caravan.kz/news/tokaev-vybory-akimov-1145321/", "1145321"),
        ("https://www.caravan.kz/amp/news/tokaev-vybory-akimov-1145321", "1145321"),
        ("https://www.caravan.kz/?p=1145321", "1145321"),
        ("https://www.caravan.kz/news/page/3/", None),
        ("https://www.caravan.kz/rubric/politika/", None),
        ("https://www.caravan.kz/news/", None),
    ],
)
def test_caravan_article_ids(url, article_id):
    assert load_profile("caravan").article_id(url) == article_id


def test_unknown_profile_names_known_ones():
    with pytest.raises(ProfileError, match="known sites: caravan, demo"):
        load_profile("nope")


def test_malformed_profile_says_what_is_missing():
    with pytest.raises(ProfileError, match="missing key 'base_url'"):
        parse_profile({"name": "x"})
    with pytest.raises(ProfileError):
        parse_profile({"name": "x", "base_url": "https://x.kz", "urls": {"article": ["(unclosed"]}})


def test_with_base_url_allows_the_new_host():
    profile = load_profile("demo").with_base_url("http://localhost:9999/")
    assert profile.base_url == "http://localhost:9999" and "localhost" in profile.allowed_domains
    assert profile.absolute("/news/") == "http://localhost:9999/news/"


def test_allow_networks_are_read_as_networks():
    from ipaddress import ip_address

    demo = load_profile("demo")
    assert any(ip_address("127.0.0.1") in net for net in demo.allow_networks)  # the demo is served on loopback
    assert any(ip_address("::1") in net for net in demo.allow_networks)
    assert load_profile("caravan").allow_networks == ()  # a live site: nothing but public addresses
    mine = parse_profile({"name": "x", "base_url": "https://x.kz", "crawl": {"allow_networks": ["10.1.2.7/24"]}})
    assert [str(net) for net in mine.allow_networks] == ["10.1.2.0/24"]  # host bits forgiven, not an error


@pytest.mark.parametrize("value, says", [
    (["127.0.0.300/8"], "crawl.allow_networks: '127.0.0.300/8' is not a network"),
    (["localhost"], "crawl.allow_networks: 'localhost' is not a network"),
    ([8], "crawl.allow_networks: 8 is not a network"),
    ("127.0.0.0/8", "crawl.allow_networks must be a list of networks"),
])
def test_a_bad_allow_networks_is_one_clear_line(value, says):
    with pytest.raises(ProfileError) as raised:
        parse_profile({"name": "x", "base_url": "https://x.kz", "crawl": {"allow_networks": value}})
    message = str(raised.value)
    assert message.startswith("profile: " + says) and "\n" not in message
