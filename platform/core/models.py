"""The kernel's models, one subpackage per part of the civic kit (Django finds them here)."""
from .documents.models import Document, Seal, SealKind
from .jobs.models import Job, JobStatus, JobStep
from .notices.models import Message, Notice, SmsMessage, SmsOptOut, SmsStatus
from .workflow.models import WorkflowEvent

__all__ = ["Document", "Job", "JobStatus", "JobStep", "Message", "Notice", "Seal", "SealKind", "SmsMessage",
           "SmsOptOut", "SmsStatus", "WorkflowEvent"]
