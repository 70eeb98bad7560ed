"""Models of the kernel. Each part keeps its models in its own module; Django finds them here."""
from core.workflow.models import WorkflowEvent

__all__ = ["WorkflowEvent"]
