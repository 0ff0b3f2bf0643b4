"""Who receives what: the /subscribe choices and toggles, `/start sub-<codes>` links, stopping
everything, and forgetting a firm at its request. Notices go out in the language the person sees
the bot in, so subscribing keeps that language when none was chosen."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.notices.categories import category_name, parse_category_codes
from kernel.clock import utcnow
from storage.models import Category
from storage.queries import notices as q
from storage.queries.people import forget_person
from storage.queries.surveys import unlink_person_answers


@dataclass(frozen=True)
class CategoryChoice:
    """A category as a firm sees it on the /subscribe keyboard."""

    id: int
    code: str
    name: str
    subscribed: bool


def subscription_choices(
    session: Session, *, person_id: int, language: str
) -> list[CategoryChoice]:
    """Active categories plus retired ones the person still holds, each with a ✅ flag."""
    mine = q.fetch_subscribed_category_ids(session=session, person_id=person_id)
    return [
        CategoryChoice(c.id or 0, c.code, category_name(c, language), (c.id in mine))
        for c in q.fetch_categories(session=session, include_retired=True)
        if c.retired_at is None or c.id in mine
    ]


def toggle_subscription(session: Session, *, person_id: int, category_id: int) -> bool | None:
    """Flip one subscription; True now subscribed, False now not, None if it cannot be (a
    retired or unknown category the person does not hold)."""
    mine = q.fetch_subscribed_category_ids(session=session, person_id=person_id)
    if category_id in mine:
        q.remove_subscription(session=session, person_id=person_id, category_id=category_id)
        return False
    category = session.get(Category, category_id)
    if category is None or category.retired_at is not None:
        return None
    q.add_subscriptions(session=session, person_id=person_id, category_ids=[category_id])
    return True


@dataclass(frozen=True)
class Toggled:
    """A /subscribe button press: what changed (see `toggle_subscription`) and the choices now."""

    changed: bool | None
    choices: list[CategoryChoice]


def press_subscription(
    session: Session, *, person_id: int, category_id: int, language: str
) -> Toggled:
    """Flip one subscription, keep `language` if the person had none, and list the choices."""
    changed = toggle_subscription(session=session, person_id=person_id, category_id=category_id)
    if changed is not None:
        q.keep_language(session=session, person_id=person_id, language=language)
    choices = subscription_choices(session=session, person_id=person_id, language=language)
    return Toggled(changed, choices)


@dataclass(frozen=True)
class DeepLinkResult:
    added: list[str]
    already: list[str]
    unknown: list[str]


def subscribe_by_codes(
    session: Session, *, person_id: int, codes: list[str], language: str
) -> DeepLinkResult:
    """What a `/start sub-cns_rpc` link does: subscribe to each known active code."""
    by_code = {c.code: c for c in q.fetch_categories(session=session)}
    mine = q.fetch_subscribed_category_ids(session=session, person_id=person_id)
    added: list[str] = []
    already: list[str] = []
    unknown: list[str] = []
    new_ids: list[int] = []
    for code in dict.fromkeys(codes):
        category = by_code.get(code)
        if category is None or category.id is None:
            unknown.append(code)
        elif category.id in mine:
            already.append(category_name(category, language))
        else:
            new_ids.append(category.id)
            added.append(category_name(category, language))
    q.add_subscriptions(session=session, person_id=person_id, category_ids=new_ids)
    return DeepLinkResult(added, already, unknown)


def subscribe_by_link(
    session: Session, *, person_id: int, payload: str, language: str
) -> DeepLinkResult:
    """`/start sub-cns_rpc`: subscribe to each code and keep `language` if the person had none."""
    result = subscribe_by_codes(
        session=session,
        person_id=person_id,
        codes=parse_category_codes(payload),
        language=language,
    )
    q.keep_language(session=session, person_id=person_id, language=language)
    return result


def subscribed_names(session: Session, *, person_id: int, language: str) -> list[str]:
    """The names of the categories this person receives, in display order."""
    return [
        c.name
        for c in subscription_choices(session=session, person_id=person_id, language=language)
        if c.subscribed
    ]


@dataclass(frozen=True)
class MySubscriptions:
    """What /mysubs shows: the categories received and the company details, if any."""

    names: list[str]
    company_name: str | None
    tax_id: str | None


def my_subscriptions(session: Session, *, person_id: int, language: str) -> MySubscriptions:
    """The categories this person receives and their profile, read together."""
    profile = q.fetch_profile(session=session, person_id=person_id)
    return MySubscriptions(
        names=subscribed_names(session=session, person_id=person_id, language=language),
        company_name=profile.company_name,
        tax_id=profile.tax_id,
    )


def stop_all_subscriptions(session: Session, *, person_id: int) -> int:
    """/unsubscribe confirmed: every subscription goes; how many there were."""
    return q.remove_all_subscriptions(session=session, person_id=person_id)


def forget(session: Session, *, person_id: int) -> None:
    """Close the person's unsent deliveries, cut the link to their survey answers (the answers
    stay, anonymous), then delete them (subscriptions and profile go with the person row;
    deliveries already sent keep their chat id as proof of delivery)."""
    q.close_open_deliveries_of_person(session=session, person_id=person_id, now=utcnow())
    unlink_person_answers(session=session, person_id=person_id)
    forget_person(session=session, person_id=person_id)
