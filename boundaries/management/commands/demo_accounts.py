"""manage.py demo_accounts: print the demo accounts (docs/demo.md)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from boundaries.demo.accounts import DEMO_PASSWORD, demo_users


class Command(BaseCommand):
    help = "Print the demo accounts and their shared password."

    def handle(self, *args: Any, **opts: Any) -> None:
        users = demo_users()
        if not users:
            self.stdout.write("no demo accounts (run manage.py load_demo)")
            return
        self.stdout.write(f"Demo accounts — password for all: {DEMO_PASSWORD}")
        for u in users:
            unit = f"{u.unit.name}（{u.unit.code}）" if u.unit else "-"
            self.stdout.write(f"  {u.username:<28} {u.get_role_display():<6} {u.get_login_type_display():<5} {unit}")
