"""Excel表导入: the roll from a workbook, all or nothing. Every row is checked first (ID number, duplicates
in the file, already on this roll or on another roll of the round, eligibility on election day, the
group); one error anywhere and nothing is written, and the report lists every row's problem.

Columns: 姓名, 身份证号 (required), 村(居)民小组, 登记类别 (户籍居住 / 户籍外出 / 非户籍居住; blank: 户籍居住),
同意记录 (non-户籍 residents: the assembly's decision), 居住年限.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from core.crypto import id_hash
from core.errors import DomainError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from . import eligibility, roll, services
from .codes import Category, Source, VoterStatus
from .models import Election, Voter

CATEGORIES = {"": Category.HUKOU_RESIDENT, "户籍居住": Category.HUKOU_RESIDENT, "户籍外出": Category.HUKOU_AWAY,
              "非户籍居住": Category.RESIDENT_ACCEPTED, **{c.label: c.value for c in Category}}
COLUMNS = {"姓名": "name", "身份证号": "id_number", "村民小组": "group", "居民小组": "group", "村(居)民小组": "group",
           "登记类别": "category", "同意记录": "acceptance", "居住年限": "years"}
MAX_ROWS = 50_000
MAX_ERRORS = 500


@dataclass
class Checked:
    line: int
    name: str
    sex: str
    birth: Any
    hash: bytes
    masked: str
    category: str
    group: int | None
    acceptance: str


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def read(data: bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a malformed file fails in many ways inside openpyxl and zipfile
        raise DomainError("spreadsheet_invalid", "无法读取该文件：请上传 .xlsx 格式的 Excel 工作簿。") from exc
    it = wb.worksheets[0].iter_rows(values_only=True)
    header = [_text(h) for h in next(it, ())]
    if "姓名" not in header or "身份证号" not in header:
        raise DomainError("spreadsheet_columns", "缺少必需的列：姓名、身份证号。")
    index = {COLUMNS[h]: i for i, h in enumerate(header) if h in COLUMNS}
    rows = []
    for n, raw in enumerate(it, start=2):
        if raw is None or all(v in (None, "") for v in raw):
            continue
        rows.append((n, {k: _text(raw[i]) if i < len(raw) else "" for k, i in index.items()}))
        if len(rows) > MAX_ROWS:
            raise DomainError("spreadsheet_too_large", f"一次最多导入 {MAX_ROWS} 行。")
    wb.close()
    return rows


def check(e: Election, rows: list[tuple[int, dict[str, str]]], job: Any = None) -> tuple[list[Checked], list[dict[str, Any]]]:
    from population import ids

    from boundaries.models import AdminUnit

    groups = {u.name: u.pk for u in AdminUnit.objects.filter(parent=e.unit).only("id", "name")}
    errors: list[dict[str, Any]] = []
    good: list[Checked] = []
    seen: dict[bytes, int] = {}

    def err(line: int, column: str, message: str) -> None:
        errors.append({"row": line, "column": column, "message": message})

    parsed = []
    for line, v in rows:
        try:
            rid = ids.parse_id(v.get("id_number", ""))
        except DomainError as exc:
            err(line, "身份证号", exc.message)
            continue
        parsed.append((line, v, rid, id_hash(rid.number)))
    here = {bytes(h) for h in Voter.objects.filter(election=e, status=VoterStatus.ON_ROLL).values_list("id_hash", flat=True)}
    others = roll.on_other_rolls(e, [p[3] for p in parsed])
    for i, (line, v, rid, h) in enumerate(parsed, 1):
        problems = len(errors)
        if not v.get("name"):
            err(line, "姓名", "姓名为空")
        if h in seen:
            err(line, "身份证号", f"与第 {seen[h]} 行重复")
        seen.setdefault(h, line)
        if h in here:
            err(line, "身份证号", "已在本选民名单上")
        category = CATEGORIES.get(v.get("category", ""))
        if category is None:
            err(line, "登记类别", "登记类别应为 户籍居住、户籍外出 或 非户籍居住")
            category = Category.HUKOU_RESIDENT
        group = None
        if v.get("group"):
            group = groups.get(v["group"])
            if group is None:
                err(line, "村(居)民小组", f"本村(社区)没有“{v['group']}”")
        try:
            years = float(v["years"]) if v.get("years") else None
        except ValueError:
            err(line, "居住年限", "居住年限应为数字")
            years = None
        other = others.get(h)
        verdict = eligibility.evaluate(
            eligibility.Case(birth_date=rid.birth_date, category=category, on_other_roll=other is not None,
                             residence_years=years, applied_and_accepted=bool(v.get("acceptance"))),
            election_day=e.election_day, body=e.body, province=e.rule_province)
        for reason in verdict.reasons:
            err(line, "资格", reason.replace("其他村(社区)", other[2]) if other else reason)
        if len(errors) == problems:
            good.append(Checked(line, v["name"], rid.sex, rid.birth_date, h, ids.mask_id(rid.number), category, group,
                                v.get("acceptance", "")))
        if job is not None and i % 500 == 0:
            job.progress(i, len(rows) * 2, f"检查第 {i} 行")
    return good, errors


def import_file(user: Any, election: Election, path: str, *, job: Any = None) -> dict[str, Any]:
    """Check the stored workbook and write every row, or none. The file is deleted afterwards."""
    from population.models import Person

    try:
        with default_storage.open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise DomainError("file_missing", "上传的文件已不存在，请重新上传。") from None
    try:
        rows = read(data)
        with transaction.atomic():
            services.ensure_may_write(user, election)
            e = services.lock(election)
            services.ensure_writable(e, "roll")
            roll.lock_round(e.round)
            good, errors = check(e, rows, job)
            report: dict[str, Any] = {"rows": len(rows), "ok": not errors, "written": False, "added": 0,
                                      "error_count": len(errors), "errors": errors[:MAX_ERRORS]}
            if errors:
                return report
            people = dict(Person.objects.filter(id_hash__in=[c.hash for c in good]).values_list("id_hash", "id"))
            people = {bytes(k): v for k, v in people.items()}
            now = timezone.now()
            roll.copy_voters(((e.pk, people.get(c.hash), c.name, c.sex, c.birth, c.hash, c.masked, c.group, c.category,
                               Source.EXCEL, "Excel表导入", c.acceptance[:300], now) for c in good), total=len(good), job=job)
            roll.refresh_count(e)
            services.log(e, "roll_import", f"Excel表导入：登记 {len(good)} 人", user=user)
            report.update(written=True, added=len(good))
            return report
    finally:
        default_storage.delete(path)
