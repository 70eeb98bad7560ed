from django.apps import AppConfig


class PollingConfig(AppConfig):
    """民主选举 · 投票日 (Elections II): voter cards with signed QR codes, ballots, scanning at the
    polling stations, proxies, counting with the statutory rules (outcome.py), run-offs, the results
    announcement and the archive. Builds on the elections app (the election, its roll, candidates)."""

    name = "polling"
    verbose_name = "民主选举·投票计票"
