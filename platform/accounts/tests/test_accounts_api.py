"""Accounts: /api/me/, tokens, sign-in rate limiting, account management, password policy."""
from __future__ import annotations

import re
from typing import Any

import pytest
from audit.models import Action, AuditEvent
from core.testing import token_client
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role, User

pytestmark = pytest.mark.django_db
PASSWORD = "Demo2026!yb"


@pytest.fixture(autouse=True)
def _clear_throttle() -> None:
    cache.clear()


def test_me_describes_the_user_and_what_they_draw(demo: Any) -> None:
    body = token_client(demo.village_staff).get("/api/me/").json()
    assert body["username"] == demo.village_staff.username
    assert body["unit"]["code"] == demo.community.code and body["unit"]["level"] == 3
    caps = body["capabilities"]
    assert caps["write"] is True and caps["draw_levels"] == [4, 5] and caps["reveal"] is True
    assert caps["resident"] is False and caps["unit_admin"] is False
    supervisor = token_client(demo.town_supervisor).get("/api/me/").json()["capabilities"]
    assert supervisor["write"] is False and supervisor["draw_levels"] == [] and supervisor["reveal"] is False
    resident = token_client(demo.resident).get("/api/me/").json()["capabilities"]
    assert resident["resident"] is True and resident["staff"] is False and resident["population"] is False
    assert APIClient().get("/api/me/").status_code in (401, 403)


def test_token_endpoint(demo: Any) -> None:
    client = APIClient()
    r = client.post("/api/auth/token/", {"username": "yubei_admin", "password": PASSWORD}, format="json")
    assert r.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {r.json()['token']}")
    assert client.get("/api/me/").json()["username"] == "yubei_admin"
    bad = APIClient().post("/api/auth/token/", {"username": "yubei_admin", "password": "wrong"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_credentials"
    assert client.delete("/api/auth/token/revoke/").status_code == 204
    assert client.get("/api/me/").status_code in (401, 403)


def test_token_sign_in_is_rate_limited_and_failures_audited(demo: Any, settings: Any) -> None:
    settings.LOGIN_RATE_LIMIT = 3
    client = APIClient(REMOTE_ADDR="10.0.0.7")
    for _ in range(3):
        r = client.post("/api/auth/token/", {"username": "yubei_staff", "password": "nope"}, format="json")
        assert r.status_code == 400
    # Even the right password is refused now, without being checked.
    r = client.post("/api/auth/token/", {"username": "yubei_staff", "password": PASSWORD}, format="json")
    assert r.status_code == 429 and r.json()["code"] == "login_rate_limited"
    # Another address is not locked out (per username and address).
    other = APIClient(REMOTE_ADDR="10.0.0.8")
    assert other.post("/api/auth/token/", {"username": "yubei_staff", "password": PASSWORD},
                      format="json").status_code == 200
    failures = AuditEvent.objects.filter(action=Action.LOGIN_FAILED, actor_name="yubei_staff")
    assert failures.count() == 3 and set(failures.values_list("ip", flat=True)) == {"10.0.0.7"}
    assert failures.first().unit_path == demo.district.path


def test_session_login_form_is_rate_limited(demo: Any, settings: Any) -> None:
    settings.LOGIN_RATE_LIMIT = 2
    client = Client()
    for _ in range(2):
        r = client.post("/accounts/login/", {"username": "shuanglonghu_admin", "password": "bad"})
        assert r.status_code == 200 and not r.wsgi_request.user.is_authenticated
    r = client.post("/accounts/login/", {"username": "shuanglonghu_admin", "password": PASSWORD})
    assert r.status_code == 200 and "登录失败次数过多" in r.content.decode()
    cache.clear()
    r = client.post("/accounts/login/", {"username": "shuanglonghu_admin", "password": PASSWORD})
    assert r.status_code == 302


@pytest.mark.parametrize(
    ("password", "ok"),
    [("short1A", False), ("1234567890123", False), ("password123", False), ("abcdefghijkl", False),
     ("yubei_staff2026", False), ("Demo2026!yb", False), ("demo2026!YB", False), ("Demo2027!yb", True),
     ("长城Great2026", True)],
)
def test_password_policy(demo: Any, password: str, ok: bool) -> None:
    user = demo.district_staff
    if ok:
        validate_password(password, user)
    else:
        with pytest.raises(ValidationError) as e, translation.override("en"):
            validate_password(password, user)
        # Chinese whatever the request's language: the clerk reads these on the account form.
        assert all(re.search(r"[\u4e00-\u9fff]", m) for m in e.value.messages), e.value.messages


def test_admin_creates_account_in_own_unit_with_policy(demo: Any) -> None:
    client = token_client(demo.village_admin)
    weak = client.post("/api/users/", {"username": "new_clerk", "password": "12345678", "unit": demo.community.pk,
                                       "role": Role.STAFF, "login_type": "community"}, format="json")
    assert weak.status_code == 400 and weak.json()["code"] == "password_policy"
    r = client.post("/api/users/", {"username": "new_clerk", "password": "Clerk2026!ok", "unit": demo.community.pk,
                                    "role": Role.REVIEWER, "login_type": "community", "display_name": "新文书"},
                    format="json")
    assert r.status_code == 201, r.content
    user = User.objects.get(username="new_clerk")
    assert user.check_password("Clerk2026!ok") and user.role == Role.REVIEWER and user.unit == demo.community
    wrong_type = client.post("/api/users/", {"username": "gov", "password": "Clerk2026!ok", "unit": demo.community.pk,
                                             "role": Role.STAFF, "login_type": "government"}, format="json")
    assert wrong_type.status_code == 400 and wrong_type.json()["code"] == "login_type_level"
    # Administrators cannot lock themselves out or promote themselves elsewhere.
    me = client.patch(f"/api/users/{demo.village_admin.pk}/", {"role": Role.STAFF}, format="json")
    assert me.status_code == 400 and me.json()["code"] == "self_change"


def test_delete_deactivates_and_password_reset_is_audited(demo: Any) -> None:
    client = token_client(demo.town_admin)
    target = User.objects.get(username=f"{demo.community.code}_reviewer")
    Token.objects.get_or_create(user=target)
    assert client.post(f"/api/users/{target.pk}/set-password/", {"password": "Reset2026!ok"},
                       format="json").status_code == 204
    target.refresh_from_db()
    assert target.check_password("Reset2026!ok") and not Token.objects.filter(user=target).exists()
    event = AuditEvent.objects.filter(model="accounts.User", object_id=str(target.pk)).latest("id")
    assert event.actor == demo.town_admin and "pbkdf2" not in str(event.after)
    assert client.delete(f"/api/users/{target.pk}/").status_code == 204
    target.refresh_from_db()
    assert target.is_active is False
