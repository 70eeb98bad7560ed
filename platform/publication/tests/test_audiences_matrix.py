"""core.audiences with the standard actors: who reads what, and who reaches which endpoint."""
from __future__ import annotations

from typing import Any

import pytest
from core.audiences import covering_paths
from core.testing import STANDARD, Actors
from django.utils import timezone

from publication.models import Post

pytestmark = pytest.mark.django_db


def _published(unit: Any, audience: Any, title: str) -> Post:
    p = Post(unit=unit, audience_unit=audience, channel="notice", title=title, state="published",
             published_at=timezone.now())
    p.save()
    return p


def test_covering_paths() -> None:
    assert covering_paths("500000/500112/500112002/") == ["500000/", "500000/500112/", "500000/500112/500112002/"]


def test_who_reads_what(actors: Actors, demo: Any) -> None:
    items = {
        "village": _published(demo.community, demo.community, "本社区"),
        "neighbour": _published(demo.neighbour_community, demo.neighbour_community, "邻社区"),
        "village_to_town": _published(demo.community, demo.town, "本社区·镇街可见"),
        "town": _published(demo.town, demo.town, "镇街"),
        "district": _published(demo.district, demo.district, "区"),
        "other_town": _published(demo.other_town, demo.other_town, "其他镇街"),
    }
    draft = Post(unit=demo.community, channel="notice", title="草稿")
    draft.save()
    expected = {
        "resident": {"village", "village_to_town", "town", "district"},
        "neighbour_resident": {"neighbour", "village_to_town", "town", "district"},
        # Staff: their jurisdiction's items, plus what their audience covers.
        "village_staff": {"village", "village_to_town", "town", "district"},
        "neighbour_staff": {"neighbour", "village_to_town", "town", "district"},
        "town_staff": {"village", "neighbour", "village_to_town", "town", "district"},
        "town_supervisor": {"village", "neighbour", "village_to_town", "town", "district"},
        "other_town_admin": {"other_town", "district"},
        "anonymous": set(),
    }
    assert set(expected) == set(STANDARD)
    for name in STANDARD:
        got = {k for k, p in items.items() if Post.objects.readable_by(actors.user(name)).filter(pk=p.pk).exists()}
        assert got == expected[name], name
        assert not Post.objects.readable_by(actors.user(name)).filter(pk=draft.pk).exists()
    district = {k for k, p in items.items() if Post.objects.readable_by(actors.district_admin).filter(pk=p.pk).exists()}
    assert district == set(items)


def test_a_neighbours_post_is_out_of_reach(actors: Actors, demo: Any) -> None:
    r = actors.client("neighbour_staff").post("/api/publication/posts/", {"channel": "notice", "title": "邻居的草稿"},
                                              format="json")
    pk = r.json()["id"]
    for who in ("village_staff", "other_town_admin", "resident"):
        c = actors.client(who)
        assert c.get(f"/api/publication/posts/{pk}/").status_code in (403, 404)
        assert c.patch(f"/api/publication/posts/{pk}/", {"title": "改"}, format="json").status_code in (403, 404)
        assert c.post(f"/api/publication/posts/{pk}/actions/submit/", {}, format="json").status_code in (403, 404)
        assert c.get(f"/api/publication/posts/{pk}/timeline/").status_code in (403, 404)
    # Writing in another unit's name is refused.
    r = actors.client("village_staff").post("/api/publication/posts/", {"channel": "notice", "title": "冒名",
                                                                        "unit": demo.neighbour_community.pk}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "unit_out_of_scope"
    assert Post.objects.get(pk=pk).title == "邻居的草稿" and Post.objects.get(pk=pk).state == "draft"
    # The town may act on its villages' items (it is their jurisdiction).
    assert actors.client("town_staff").get(f"/api/publication/posts/{pk}/").status_code == 200


def test_bad_input_gets_clear_errors(actors: Actors) -> None:
    c = actors.client("village_staff")
    for body, code in (({"channel": "headline", "title": "无分栏"}, "column_required"),
                       ({"channel": "affairs", "title": "无类别"}, "category_required"),
                       ({"channel": "notice", "title": " "}, "invalid"),
                       ({"channel": "notice"}, "title_required"),
                       ({"channel": "nope", "title": "x"}, "invalid")):
        r = c.post("/api/publication/posts/", body, format="json")
        assert r.status_code == 400 and r.json()["code"] == code, (body, r.content)
    for url in ("/api/publication/feed/?limit=x", "/api/publication/feed/?unit=abc", "/api/publication/feed/?group=x"):
        r = c.get(url)
        assert r.status_code == 400 and "detail" in r.json(), url
    assert c.get("/api/publication/posts/?box=nope").status_code == 400
