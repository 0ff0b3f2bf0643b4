"""All tables, imported here so that SQLModel.metadata is complete for Alembic."""

from storage.models.assessment import (
    AssessmentFollowUp,
    AssessmentPublication,
    AssessmentReminder,
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
    CaseReminder,
    CaseReporter,
)
from storage.models.courtesy import (
    ActionStatus,
    CourtesyAction,
    CourtesyActionEvent,
    CourtesyReminder,
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
from storage.models.secrets import InstallSecret
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
    "AssessmentReminder",
    "AssessmentScore",
    "AuditEntry",
    "BotState",
    "Case",
    "CaseAttachment",
    "CaseCounter",
    "CaseEvent",
    "CaseFollowUp",
    "CaseReminder",
    "CaseReporter",
    "Category",
    "CategoryRenewal",
    "Certificate",
    "CourtesyAction",
    "CourtesyActionEvent",
    "CourtesyReminder",
    "CourtesyResult",
    "CourtesyRound",
    "CourtesyRubric",
    "CourtesyStaff",
    "CourtesyTest",
    "Delivery",
    "ExpiryReminder",
    "DeliveryPause",
    "InstallSecret",
    "Invite",
    "Notice",
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
