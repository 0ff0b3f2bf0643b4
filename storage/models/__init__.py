"""All tables, imported here so that SQLModel.metadata is complete for Alembic."""

from storage.models.assessment import (
    AssessmentFollowUp,
    AssessmentPublication,
    AssessmentScore,
    YearTarget,
)
from storage.models.base import STAFF_ROLES, Role
from storage.models.cases import (
    BotState,
    Case,
    CaseAttachment,
    CaseCounter,
    CaseEvent,
    CaseReporter,
)
from storage.models.courtesy import (
    ActionStatus,
    CourtesyAction,
    CourtesyActionEvent,
    CourtesyResult,
    CourtesyRound,
    CourtesyRubric,
    CourtesyStaff,
    CourtesyTest,
    TestStatus,
)
from storage.models.delivery import DeliveryPause
from storage.models.notices import (
    Category,
    Delivery,
    Notice,
    NoticeAttachment,
    NoticeCategory,
    OutboxText,
    Subscription,
    WorkerLease,
)
from storage.models.people import AuditEntry, Invite, Person, RoleGrant, Unit
from storage.models.registry import (
    CategoryRenewal,
    Certificate,
    ExpiryReminder,
    NoticeTaxId,
    ReminderOptOut,
)
from storage.models.surveys import (
    CaseFollowUp,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
)

__all__ = [
    "STAFF_ROLES",
    "ActionStatus",
    "AssessmentFollowUp",
    "AssessmentPublication",
    "AssessmentScore",
    "AuditEntry",
    "BotState",
    "Case",
    "CaseAttachment",
    "CaseCounter",
    "CaseEvent",
    "CaseFollowUp",
    "CaseReporter",
    "Category",
    "CategoryRenewal",
    "Certificate",
    "CourtesyAction",
    "CourtesyActionEvent",
    "CourtesyResult",
    "CourtesyRound",
    "CourtesyRubric",
    "CourtesyStaff",
    "CourtesyTest",
    "Delivery",
    "ExpiryReminder",
    "DeliveryPause",
    "Invite",
    "Notice",
    "OutboxText",
    "NoticeAttachment",
    "NoticeCategory",
    "NoticeTaxId",
    "Person",
    "ReminderOptOut",
    "Role",
    "RoleGrant",
    "Subscription",
    "Survey",
    "SurveyAnswer",
    "SurveyInvitation",
    "SurveyQuestion",
    "TestStatus",
    "Unit",
    "WorkerLease",
    "YearTarget",
]
