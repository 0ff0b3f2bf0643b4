"""All tables, imported here so that SQLModel.metadata is complete for Alembic. One module per
area:

- `base`: the shared fields and `Role`;
- `assessment`: the self-assessment (附表2): targets, scores, follow-ups, publications,
  deadline reminders;
- `audit`: the audit log;
- `cases`: cases, their history, files, reporters, counters and reminders;
- `courtesy`: the courtesy tests: staff, rounds, tests, results, rubrics, corrective actions;
- `delivery`: the delivery worker's lease and pauses;
- `duties`: recurring duties, their occurrences and evidence, training sessions;
- `mail`: e-mail subscribers, their categories and link tokens, requests to confirm;
- `notices`: categories, subscriptions, notices and the outbox;
- `people`: people, their roles, units and invites;
- `persistence`: python-telegram-bot's conversations and data;
- `registry`: the certificate register, expiry reminders, opt-outs, targeted notices;
- `secrets`: the install's own secret;
- `surveys`: satisfaction surveys, their answers, the case follow-ups and the improvement
  actions answering survey findings;
- `visits`: visits to firms and the needs firms raise, with their answers."""

from storage.models.assessment import (
    AssessmentFollowUp,
    AssessmentPublication,
    AssessmentScore,
    YearTarget,
)
from storage.models.audit import AuditEntry
from storage.models.base import STAFF_ROLES, Role
from storage.models.cases import (
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
from storage.models.delivery import DeliveryPause, WorkerLease
from storage.models.duties import (
    Audience,
    Duty,
    DutyEvidence,
    DutyOccurrence,
    Recurrence,
    TrainingSession,
)
from storage.models.mail import EmailRequest, EmailSubscriber, EmailSubscriberCategory, EmailToken
from storage.models.notices import (
    Category,
    Delivery,
    Notice,
    NoticeAttachment,
    NoticeCategory,
    OutboxText,
    Subscription,
)
from storage.models.people import Invite, Person, RoleGrant, Unit
from storage.models.persistence import BotState
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
from storage.models.visits import FirmNeed, NeedChannel, Visit, VisitKind

__all__ = [
    "STAFF_ROLES",
    "ActionStatus",
    "AssessmentFollowUp",
    "AssessmentPublication",
    "AssessmentScore",
    "Audience",
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
    "Duty",
    "DutyEvidence",
    "DutyOccurrence",
    "EmailRequest",
    "EmailSubscriber",
    "EmailSubscriberCategory",
    "EmailToken",
    "FirmNeed",
    "InstallSecret",
    "Invite",
    "NeedChannel",
    "Notice",
    "OutboxText",
    "NoticeAttachment",
    "NoticeCategory",
    "NoticeTaxId",
    "Person",
    "ReminderOptOut",
    "Recurrence",
    "Role",
    "RoleGrant",
    "Subscription",
    "Survey",
    "SurveyAnswer",
    "SurveyInvitation",
    "SurveyQuestion",
    "TestStatus",
    "TrainingSession",
    "Unit",
    "Visit",
    "VisitKind",
    "WorkerLease",
    "YearTarget",
]
