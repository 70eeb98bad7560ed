#!/usr/bin/env python
"""Django's command-line utility. platform/ is on sys.path as the script's folder; the repo root
(home of the boundaries and tiles apps) is added here so the checkout runs without an install."""
import os
import sys
from pathlib import Path


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(1, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
