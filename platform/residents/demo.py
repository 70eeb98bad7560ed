"""No demo rows of its own: the demo's resident accounts are already bound to their communities
(boundaries.demo.accounts); claims are made in 民政易."""
from __future__ import annotations


def generate() -> dict[str, int]:
    return {}
