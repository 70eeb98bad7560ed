from django.apps import AppConfig


class PollingConfig(AppConfig):
    """民主选举 · 投票日 (Elections II): voter cards with signed QR codes, ballots, scanning at the
    polling stations, proxies, counting with the statutory rules (outcome.py), run-offs, the results
    announcement and the archive. Builds on the elections app (the election, its roll, candidates)."""

    name = "polling"
    verbose_name = "民主选举·投票计票"

    def ready(self) -> None:
        from audit import registry

        from . import models as m

        def path(election_of: str):  # type: ignore[no-untyped-def]
            def get(obj):  # type: ignore[no-untyped-def]
                target = obj
                for part in election_of.split("."):
                    target = getattr(target, part)
                return target.unit.path
            return get

        # Tokens are the cards' secrets: never copied into the trail.
        registry.register(m.VoterCard, unit_path=path("election"), exclude=("token",))
        for model in (m.Vote, m.Station, m.Proxy, m.Announcement, m.Archive):
            registry.register(model, unit_path=path("election"))
        for child in (m.BoxCount, m.Issuance, m.BallotEntry):
            registry.register(child, unit_path=path("vote.election"))
