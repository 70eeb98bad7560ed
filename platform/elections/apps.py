from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "elections"
    verbose_name = "换届选举"

    def ready(self) -> None:
        from audit import registry

        from . import models as m

        # The ID hash is neither shown nor useful in a trail; the masked ID number is what lists show.
        registry.register(m.Election, unit_path=lambda e: e.unit.path)
        registry.register(m.Post, unit_path=lambda p: p.election.unit.path)
        registry.register(m.Voter, unit_path=lambda v: v.election.unit.path, exclude=("id_hash",))
        registry.register(m.Candidate, unit_path=lambda c: c.election.unit.path)
        registry.register(m.VettingDepartment, unit_path=lambda d: d.unit.path)
        registry.register(m.Vetting, unit_path=lambda v: v.candidate.election.unit.path)
        registry.register(m.Objection, unit_path=lambda o: o.election.unit.path)
        registry.register(m.Stop, unit_path=lambda s: s.election.unit.path)
        registry.register(m.Event, unit_path=lambda ev: ev.election.unit.path)
        registry.register(m.Conflict, unit_path=lambda c: c.election.unit.path)

        from . import signals

        signals.connect()
