"""Polling-day records; see docs/polling.md."""
