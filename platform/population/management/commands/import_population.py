"""manage.py import_population FILE.xlsx --pool CODE [--write] | --city-record [--write]

Checks every row and prints the report; writes (all-or-nothing) only with --write and no errors.
``--city-record`` imports the city-wide record: the only way 户籍地 (hukou) changes.
"""
from __future__ import annotations

import sys
import time
from typing import Any

from core.errors import DomainError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from boundaries.models import AdminUnit
from population import spreadsheets


class Command(BaseCommand):
    help = "Import a population pool / household list (.xlsx) with a row-level report before writing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--pool", help="community code of the pool")
        parser.add_argument("--city-record", action="store_true", help="import into the city-wide record")
        parser.add_argument("--write", action="store_true", help="write if the check finds no error")
        parser.add_argument("--reason", default="表格导入")

    def handle(self, *args: Any, **opts: Any) -> None:
        pool = None
        if not opts["city_record"]:
            pool = AdminUnit.objects.filter(code=opts["pool"] or "").first()
            if pool is None:
                raise CommandError("--pool: unknown community code")
        t0 = time.monotonic()

        def progress(done: int, total: int, stage: str) -> None:
            sys.stderr.write(f"\r{stage} {done}/{total} ({time.monotonic() - t0:.1f} s)   ")
            sys.stderr.flush()

        try:
            with open(opts["file"], "rb") as fh:
                report = spreadsheets.import_workbook(
                    fh, user=None, pool=pool, mode="city" if opts["city_record"] else "pool",
                    dry_run=not opts["write"], reason=opts["reason"], progress=progress,
                )
        except DomainError as e:
            raise CommandError(f"{e.code}: {e.message}") from None
        sys.stderr.write("\n")
        for row_error in report.errors[:50]:
            self.stdout.write(f"第{row_error.row}行 {row_error.column}: {row_error.message} [{row_error.code}]")
        if len(report.errors) > 50:
            self.stdout.write(f"... {len(report.errors) - 50} more errors")
        d = report.as_dict()
        self.stdout.write(
            f"rows {d['rows']}: new {d['to_create']}, transfer in {d['to_transfer_in']}, update {d['to_update']}, "
            f"errors {d['error_count']}; written: {d['written']} ({time.monotonic() - t0:.1f} s)"
        )
        if not report.ok:
            raise CommandError("errors found: nothing written")
