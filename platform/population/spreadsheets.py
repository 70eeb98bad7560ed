"""Excel import and export of population lists (openpyxl).

Import is two passes over the workbook: check every row and build a row-level report (bad check
digit, unknown house, duplicate, missing field ...), then — only if there are no errors and this is
not a dry run — write everything in one transaction with COPY. So a file is all-or-nothing, and the
report is shown before anything is written. Messages name the row and column, never the ID number.

Modes: ``pool`` (a community's pool or household list: new people are added to the pool, people in
the city record are transferred in, people already in this pool are updated) and ``city`` (the
city-wide record from the health commission / public security: the only writer of 户籍地; used by
the ``import_city_record`` command, never by community staff).
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from audit import registry as audit
from audit.models import Action
from core.errors import DomainError
from django.db import connection, transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from boundaries.levels import Level
from boundaries.models import AdminUnit, House

from . import crypto, ids
from .codes import (
    ETHNICITY_BY_NAME,
    HOUSE_RELATION_BY_LABEL,
    POLITICAL_BY_NAME,
    RELATION_BY_NAME,
    TAG_BY_LABEL,
    EventKind,
    HouseRelation,
)
from .models import Household, Person
from .services import _event

if TYPE_CHECKING:
    from accounts.models import User

Progress = Callable[[int, int, str], None]

# Column headers (Chinese, as clerks know them) → field keys.
COLUMNS: dict[str, str] = {
    "姓名": "name", "身份证号": "id_number", "民族": "ethnicity", "联系电话": "phone",
    "户籍地区划代码": "hukou_code", "户籍地址": "hukou_address", "户号": "household", "与户主关系": "relation_to_head",
    "政治面貌": "political_status", "标签": "tags", "楼栋编码": "building", "单元": "entrance", "室号": "room",
    "与房屋关系": "house_relation",
}  # fmt: skip
REQUIRED = ("姓名", "身份证号")
MAX_ERRORS = 1000


@dataclass
class RowError:
    row: int
    column: str
    code: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    to_create: int = 0
    to_transfer_in: int = 0
    to_update: int = 0
    households_new: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows, "to_create": self.to_create, "to_transfer_in": self.to_transfer_in,
            "to_update": self.to_update, "households_new": self.households_new, "ok": self.ok,
            "written": self.written, "error_count": len(self.errors),
            "errors": [e.__dict__ for e in self.errors[:MAX_ERRORS]],
        }


@dataclass
class Row:
    line: int
    values: dict[str, Any]
    rid: ids.ResidentId | None = None
    hash: bytes = b""  # keyed hash of the ID number, computed once
    phone: str = ""
    house_id: int | None = None
    existing: tuple[int, int | None] | None = None  # (person id, pool id)


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _open(fh: BinaryIO) -> Iterable[tuple[Any, ...]]:
    try:
        wb = load_workbook(fh, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, TypeError) as exc:
        raise DomainError("spreadsheet_invalid", "无法读取该文件：请上传 .xlsx 格式的 Excel 工作簿。") from exc
    except Exception as exc:  # zipfile.BadZipFile and parser errors of a malformed file
        raise DomainError("spreadsheet_invalid", "无法读取该文件：文件已损坏或不是 .xlsx 格式。") from exc
    return wb.worksheets[0].iter_rows(values_only=True)


def read_rows(fh: BinaryIO) -> tuple[list[str], list[Row]]:
    it = iter(_open(fh))
    try:
        header = [_text(h) for h in next(it)]
    except StopIteration:
        raise DomainError("spreadsheet_empty", "工作表为空。") from None
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise DomainError("spreadsheet_columns", f"缺少必需的列：{'、'.join(missing)}。", extra={"missing": missing})
    index = {COLUMNS[h]: i for i, h in enumerate(header) if h in COLUMNS}
    rows = []
    for n, raw in enumerate(it, start=2):
        if raw is None or all(v in (None, "") for v in raw):
            continue
        values = {k: _text(raw[i]) if i < len(raw) else "" for k, i in index.items()}
        rows.append(Row(n, values))
    return header, rows


def check_rows(rows: list[Row], pool: AdminUnit | None, mode: str, progress: Progress | None = None) -> ImportReport:
    report = ImportReport(rows=len(rows))
    err = report.errors.append
    seen: dict[bytes, int] = {}
    # Houses of the pool, keyed by (building code, entrance, room): one query, no per-row lookups.
    houses: dict[tuple[str, str, str], int] = {}
    if pool is not None:
        for hid, bcode, entrance, room in House.objects.filter(building__path__startswith=pool.path).values_list(
            "id", "building__code", "entrance", "room"
        ):
            houses[(bcode, entrance, room)] = hid
    for i, r in enumerate(rows):
        v = r.values
        if progress and i % 5000 == 0:
            progress(i, len(rows), "检查")
        if not v.get("name"):
            err(RowError(r.line, "姓名", "missing_field", "姓名为空。"))
        if not v.get("id_number"):
            err(RowError(r.line, "身份证号", "missing_field", "身份证号为空。"))
        else:
            try:
                r.rid = ids.parse_id(v["id_number"])
            except DomainError as e:
                err(RowError(r.line, "身份证号", e.code, e.message))
        if r.rid:
            h = r.hash = crypto.id_hash(r.rid.number)
            if h in seen:
                err(RowError(r.line, "身份证号", "duplicate_in_file", f"与第{seen[h]}行身份证号重复。"))
            seen[h] = r.line
        if v.get("phone"):
            try:
                r.phone = ids.normalise_phone(v["phone"])
            except DomainError as e:
                err(RowError(r.line, "联系电话", e.code, e.message))
        for key, table, col in (("ethnicity", ETHNICITY_BY_NAME, "民族"), ("political_status", POLITICAL_BY_NAME, "政治面貌"),
                                ("relation_to_head", RELATION_BY_NAME, "与户主关系")):
            val = v.get(key, "")
            if val and val not in table and val not in table.values():
                err(RowError(r.line, col, f"{key}_invalid", f"“{col}”的值无法识别。"))
        tags = [t for t in v.get("tags", "").replace(",", "、").replace("，", "、").split("、") if t]
        if any(t not in TAG_BY_LABEL for t in tags):
            err(RowError(r.line, "标签", "tag_invalid", "含有无法识别的标签。"))
        rel = v.get("house_relation", "")
        if rel and rel not in HOUSE_RELATION_BY_LABEL:
            err(RowError(r.line, "与房屋关系", "house_relation_invalid", "“与房屋关系”的值无法识别。"))
        if v.get("building") or v.get("room"):
            r.house_id = houses.get((v.get("building", ""), v.get("entrance") or "1", v.get("room", "")))
            if r.house_id is None:
                err(RowError(r.line, "室号", "unknown_house", "房屋不存在或不在本人口池范围内（楼栋编码+单元+室号）。"))
        if mode == "city" and (v.get("building") or v.get("room")):
            err(RowError(r.line, "室号", "house_not_allowed", "市级人口库导入不含居住房屋。"))
    # Existing people, looked up by keyed hash in batches.
    by_hash = {r.hash: r for r in rows if r.rid}
    keys = list(by_hash)
    with connection.cursor() as cur:
        for start in range(0, len(keys), 10000):
            cur.execute("SELECT id_hash, id, pool_id FROM population_person WHERE id_hash = ANY(%s)",
                        [keys[start:start + 10000]])
            for h, pid, pool_id in cur.fetchall():
                by_hash[bytes(h)].existing = (pid, pool_id)
    for r in rows:
        if r.existing is None:
            report.to_create += 1
        elif mode == "city":
            report.to_update += 1
        elif r.existing[1] is None:
            report.to_transfer_in += 1
        elif pool is not None and r.existing[1] == pool.pk:
            report.to_update += 1
        else:
            err(RowError(r.line, "身份证号", "in_other_pool", "此人已在其他村（社区）人口池中，须由对方转出。"))
    numbers = {r.values["household"] for r in rows if r.values.get("household")}
    if numbers:
        known = set(Household.objects.filter(number__in=numbers).values_list("number", flat=True))
        report.households_new = len(numbers - known)
    report.errors.sort(key=lambda e: e.row)
    return report


def _code(table: dict[str, str], value: str, default: str = "") -> str:
    if not value:
        return default
    return table.get(value, value)


def _write(rows: list[Row], pool: AdminUnit | None, mode: str, user: User | None, reason: str,
           progress: Progress | None) -> None:
    now = timezone.now()
    numbers = {r.values["household"] for r in rows if r.values.get("household")}
    hh_ids: dict[str, int] = dict(Household.objects.filter(number__in=numbers).values_list("number", "id"))
    new_numbers = sorted(numbers - set(hh_ids))
    create = [r for r in rows if r.existing is None]
    cols = ("id", "name", "id_hash", "id_cipher", "id_masked", "region_code", "birth_date", "sex", "ethnicity",
            "phone_hash", "phone_cipher", "phone_masked", "hukou_code", "hukou_address", "pool_id", "status", "house_id", "house_relation",
            "household_id", "relation_to_head", "political_status", "tags", "added_by_community", "created_at",
            "updated_at")
    kind = EventKind.CITY_RECORD if mode == "city" else EventKind.IMPORTED
    with connection.cursor() as cur:
        # Ids from the sequences up front, so COPY can write households, people and events without
        # reading anything back.
        hh_new = _next_ids(cur, "population_household", len(new_numbers))
        with cur.cursor.copy("COPY population_household (id, number, unit_id, created_at) FROM STDIN") as copy:
            for hid, number in zip(hh_new, new_numbers, strict=True):
                copy.write_row((hid, number, pool.pk if pool else None, now))
        hh_ids.update(zip(new_numbers, hh_new, strict=True))
        person_ids = _next_ids(cur, "population_person", len(create))
        with cur.cursor.copy(f"COPY population_person ({', '.join(cols)}) FROM STDIN") as copy:
            for i, (pid, r) in enumerate(zip(person_ids, create, strict=True)):
                if progress and i % 5000 == 0:
                    progress(i, len(create), "写入")
                copy.write_row((pid, *_person_row(r, pool if mode == "pool" else None, hh_ids, now, mode)))
        # One event per person written (what, who, when, why), also by COPY.
        with cur.cursor.copy(
            "COPY population_personevent (person_id, kind, at, actor_id, actor_name, reason, to_pool_id, to_house_id,"
            " house_relation) FROM STDIN"
        ) as copy:
            actor = (user.pk if user else None, getattr(user, "username", "system"))
            to_pool = pool.pk if pool and mode == "pool" else None
            for pid, r in zip(person_ids, create, strict=True):
                copy.write_row((pid, kind, now, actor[0], actor[1], reason, to_pool, r.house_id, ""))
    for r in rows:
        if r.existing is None:
            continue
        person = Person.objects.select_for_update().get(pk=r.existing[0])
        before = (person.house_id, person.hukou_code, person.hukou_address)
        _apply(person, r, hh_ids, mode)
        joins = mode == "pool" and person.pool_id is None
        if joins:
            person.pool = pool
        person.save()
        # The same history as the one-by-one workflows: pool moves, house moves, 户籍地 changes.
        if joins:
            _event(person, EventKind.TRANSFER_IN, user, reason, to_pool=pool)
        if person.house_id != before[0]:
            _event(person, EventKind.PLACED, user, reason, from_house_id=before[0], to_house_id=person.house_id,
                   house_relation=person.house_relation)
        if (person.hukou_code, person.hukou_address) != before[1:]:
            _event(person, EventKind.HUKOU_UPDATED, user, reason)


def _next_ids(cur: Any, table: str, n: int) -> list[int]:
    if not n:
        return []
    cur.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [n])
    return [x[0] for x in cur.fetchall()]


def _person_row(r: Row, pool: AdminUnit | None, hh_ids: dict[str, int], now: dt.datetime, mode: str) -> tuple:
    v = r.values
    assert r.rid is not None
    rel = HOUSE_RELATION_BY_LABEL.get(v.get("house_relation", ""), HouseRelation.FAMILY if r.house_id else "")
    tags = [TAG_BY_LABEL[t] for t in v.get("tags", "").replace(",", "、").replace("，", "、").split("、") if t]
    return (
        v["name"], r.hash, crypto.encrypt(r.rid.number), ids.mask_id(r.rid.number), r.rid.region_code,
        r.rid.birth_date, r.rid.sex, _code(ETHNICITY_BY_NAME, v.get("ethnicity", ""), "01"),
        crypto.phone_hash(r.phone) if r.phone else None, crypto.encrypt(r.phone) if r.phone else None,
        ids.mask_phone(r.phone) if r.phone else "",
        v.get("hukou_code", "")[:12], v.get("hukou_address", "")[:200], pool.pk if pool else None, "active",
        r.house_id, rel, hh_ids.get(v.get("household", "")), _code(RELATION_BY_NAME, v.get("relation_to_head", "")),
        _code(POLITICAL_BY_NAME, v.get("political_status", ""), "13"), tags, mode == "pool", now, now,
    )


def _apply(person: Person, r: Row, hh_ids: dict[str, int], mode: str) -> None:
    v = r.values
    person.name = v["name"]
    if mode == "city":
        # The city record is the one source of 户籍地 (locked for community staff).
        person.hukou_code = v.get("hukou_code", "")[:12]
        person.hukou_address = v.get("hukou_address", "")[:200]
    if v.get("ethnicity"):
        person.ethnicity = _code(ETHNICITY_BY_NAME, v["ethnicity"])
    if v.get("political_status"):
        person.political_status = _code(POLITICAL_BY_NAME, v["political_status"])
    if v.get("relation_to_head"):
        person.relation_to_head = _code(RELATION_BY_NAME, v["relation_to_head"])
    if v.get("household"):
        person.household_id = hh_ids[v["household"]]
    if r.phone:
        person.set_phone(r.phone)
    if r.house_id:
        person.house_id = r.house_id
        person.house_relation = HOUSE_RELATION_BY_LABEL.get(v.get("house_relation", ""), HouseRelation.FAMILY)


def import_workbook(fh: BinaryIO, *, user: User | None, pool: AdminUnit | None, mode: str = "pool", dry_run: bool = True,
                    reason: str = "表格导入", progress: Progress | None = None) -> ImportReport:
    if mode not in ("pool", "city"):
        raise ValueError(mode)
    if mode == "pool" and (pool is None or pool.level != Level.COMMUNITY):
        raise DomainError("pool_invalid", "请选择要导入的村（社区）人口池。")
    _, rows = read_rows(fh)
    if not rows:
        raise DomainError("spreadsheet_empty", "工作表没有数据行。")
    report = check_rows(rows, pool, mode, progress)
    if not report.ok or dry_run:
        return report
    with transaction.atomic():
        if pool is not None:
            # Serialise imports into one pool: the check above must still hold when we write.
            AdminUnit.objects.select_for_update().filter(pk=pool.pk).first()
        _write(rows, pool, mode, user, reason, progress)
        audit.record(Action.CREATE, pool or AdminUnit(pk=0, code="city", name="市级人口库"),
                     pool.path if pool else "", after={"import_rows": report.rows, "created": report.to_create,
                                                        "transferred_in": report.to_transfer_in,
                                                        "updated": report.to_update, "mode": mode},
                     reason=reason, actor=user)
    report.written = True
    if progress:
        progress(report.rows, report.rows, "完成")
    return report


MASKED_BIRTH_HEADER = "年龄段"
EXPORT_HEADERS = ["姓名", "身份证号", "性别", "出生年月", "民族", "联系电话", "户籍地区划代码", "户籍地址", "户号", "与户主关系",
                  "政治面貌", "标签", "楼栋编码", "楼栋", "单元", "室号", "与房屋关系", "人口池"]


def export_workbook(people: Iterable[Person], *, full: bool) -> bytes:
    """A pool as .xlsx. ``full`` is decided (and audited) by the caller. A masked export gives an age
    band where the full one gives 出生年月: year and month beside a masked ID number would leave a
    handful of candidates for it (docs/privacy.md)."""
    import datetime as dt

    from .codes import ETHNICITIES, POLITICAL_STATUS, RELATIONS_TO_HEAD, Tag

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("人口")
    ws.append(EXPORT_HEADERS if full else [MASKED_BIRTH_HEADER if h == "出生年月" else h for h in EXPORT_HEADERS])
    today = dt.date.today()
    for p in people:
        h = p.house
        ws.append([
            p.name, p.id_number if full else p.id_masked, p.get_sex_display(),
            p.birth_date.strftime("%Y-%m") if full else ids.age_band(p.birth_date, today),
            ETHNICITIES.get(p.ethnicity, ""), p.phone if full else p.phone_masked, p.hukou_code,
            p.hukou_address if full else ids.mask_address(p.hukou_address),
            p.household.number if p.household is not None else "", RELATIONS_TO_HEAD.get(p.relation_to_head, ""),
            POLITICAL_STATUS.get(p.political_status, ""), "、".join(Tag(t).label for t in p.tags if t in Tag.values),
            h.building.code if h else "", h.building.name if h else "", h.entrance if h else "", h.room if h else "",
            p.get_house_relation_display() if h else "", p.pool.name if p.pool is not None else "",
        ])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
