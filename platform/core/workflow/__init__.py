"""The review workflow every civic module reuses (docs/modules.md): ``Reviewable`` (models) and the
steps that move it (services). Import the steps from ``core.workflow.services``."""
