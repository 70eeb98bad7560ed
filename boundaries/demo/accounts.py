"""Demo institutions, departments and accounts (docs/demo.md).

Every demo account shares one password and carries an ``@demo.invalid`` e-mail address, which
is how ``manage.py demo_accounts`` finds them again.
"""
from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Department, LoginType, Organisation, Role, User
from django.contrib.auth.hashers import make_password

from boundaries.levels import Kind, Level
from boundaries.models import AdminUnit

DEMO_PASSWORD = "Demo2026!yb"
DEMO_EMAIL_DOMAIN = "demo.invalid"
OTHER_TOWN_CODE = "500112004"  # 回兴街道, for "another town" in the jurisdiction tests

DISTRICT_ORGS = {
    "重庆市渝北区民政局": ("基层政权建设和社区治理科", "社会事务科", "区划地名科"),
    "重庆市渝北区人民政府办公室": ("综合科",),
}
SUBDISTRICT_DEPTS = ("党政办公室", "社区建设办公室", "平安法治办公室")
TOWN_DEPTS = ("党政办公室", "社会事务办公室", "平安法治办公室")


@dataclass(frozen=True)
class AccountSpec:
    username: str
    display_name: str
    unit_code: str
    role: str
    login_type: str
    department: tuple[str, str] | None = None  # (organisation name, department name)
    superuser: bool = False


def town_org_name(town: AdminUnit) -> str:
    return f"{town.name}办事处" if town.kind == Kind.SUBDISTRICT else f"{town.name}人民政府"


def create_organisations(units: list[AdminUnit]) -> int:
    """Institutions of the district and every town, and each community's committee."""
    orgs: list[Organisation] = []
    dept_names: dict[str, tuple[str, ...]] = {}
    for unit in units:
        if unit.level == Level.DISTRICT:
            for name, depts in DISTRICT_ORGS.items():
                orgs.append(Organisation(name=name, unit=unit))
                dept_names[name] = depts
        elif unit.level == Level.TOWN:
            name = town_org_name(unit)
            orgs.append(Organisation(name=name, unit=unit))
            dept_names[name] = SUBDISTRICT_DEPTS if unit.kind == Kind.SUBDISTRICT else TOWN_DEPTS
        elif unit.level == Level.COMMUNITY:
            suffix = "居民委员会" if unit.kind == Kind.COMMUNITY else "村民委员会"
            orgs.append(Organisation(name=unit.name + suffix, unit=unit))
    Organisation.objects.bulk_create(orgs, batch_size=1000)
    Department.objects.bulk_create(
        [Department(organisation=o, name=d) for o in orgs for d in dept_names.get(o.name, ())], batch_size=1000
    )
    return len(orgs)


def account_specs(community: AdminUnit, neighbour: AdminUnit, town: AdminUnit, other_town: AdminUnit) -> list[
    AccountSpec
]:
    gov, com = LoginType.GOVERNMENT, LoginType.COMMUNITY
    mca = ("重庆市渝北区民政局", "基层政权建设和社区治理科")
    town_org = town_org_name(town)
    specs = [
        AccountSpec("superadmin", "平台超级管理员", "500000", Role.ADMIN, gov, superuser=True),
        AccountSpec("yubei_admin", "渝北区系统管理员", "500112", Role.ADMIN, gov, mca),
        AccountSpec("yubei_staff", "渝北区民政工作人员", "500112", Role.STAFF, gov, mca),
        AccountSpec("yubei_supervisor", "渝北区督导", "500112", Role.SUPERVISOR, gov, mca),
        AccountSpec("yubei_reviewer", "渝北区审核员", "500112", Role.REVIEWER, gov, mca),
        AccountSpec("shuanglonghu_admin", f"{town.name}系统管理员", town.code, Role.ADMIN, gov,
                    (town_org, "社区建设办公室")),
        AccountSpec("shuanglonghu_staff", f"{town.name}工作人员", town.code, Role.STAFF, gov,
                    (town_org, "社区建设办公室")),
        AccountSpec("shuanglonghu_supervisor", f"{town.name}督导", town.code, Role.SUPERVISOR, gov,
                    (town_org, "党政办公室")),
        AccountSpec("shuanglonghu_reviewer", f"{town.name}审核员", town.code, Role.REVIEWER, gov,
                    (town_org, "党政办公室")),
        AccountSpec("huixing_admin", f"{other_town.name}系统管理员", other_town.code, Role.ADMIN, gov,
                    (town_org_name(other_town), "社区建设办公室")),
    ]
    for unit in (community, neighbour):
        specs += [
            AccountSpec(f"{unit.code}_admin", f"{unit.name}系统管理员", unit.code, Role.ADMIN, com),
            AccountSpec(f"{unit.code}_staff", f"{unit.name}工作人员", unit.code, Role.STAFF, com),
            AccountSpec(f"{unit.code}_reviewer", f"{unit.name}审核员", unit.code, Role.REVIEWER, com),
        ]
    for unit in (community, neighbour):
        specs.append(AccountSpec(f"{unit.code}_resident", f"{unit.name}居民", unit.code, Role.RESIDENT,
                                 LoginType.RESIDENT))
    return specs


def create_accounts(specs: list[AccountSpec], password: str = DEMO_PASSWORD) -> list[User]:
    # Hash once: PBKDF2 at Django's iteration count costs ~0.5 s per call on these machines.
    hashed = make_password(password)
    units = {u.code: u for u in AdminUnit.objects.filter(code__in={s.unit_code for s in specs})}
    depts = {
        (d.organisation.name, d.name): d
        for d in Department.objects.select_related("organisation").filter(
            organisation__unit__code__in={s.unit_code for s in specs}
        )
    }
    users = [
        User(
            username=s.username, display_name=s.display_name, email=f"{s.username}@{DEMO_EMAIL_DOMAIN}",
            password=hashed, unit=units[s.unit_code], role=s.role, login_type=s.login_type,
            department=depts.get(s.department) if s.department else None,
            is_superuser=s.superuser, is_staff=s.superuser,
        )
        for s in specs
    ]
    return User.objects.bulk_create(users)


def demo_users() -> list[User]:
    return list(
        User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").select_related("unit").order_by("unit__path", "id")
    )
