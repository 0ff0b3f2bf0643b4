"""The zh-TW catalogues follow the README's glossary: one term per concept, and the forbidden
variants of each term appear nowhere they are forbidden."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from kernel.i18n import LANGUAGES, catalogue, t

PUBLIC = ("privacy.", "start.", "report.", "status.", "cases.notify.", "forget.", "subs.")
"""Keys of messages the public reads (staff notices under cases.notify. are checked with them:
they use the same words)."""


@dataclass(frozen=True)
class Rule:
    """`pattern` must not match any zh-TW text whose key starts with one of `scope`."""

    pattern: str
    scope: tuple[str, ...]
    why: str
    language: str = "zh-TW"


RULES = [
    Rule(r"第\s*(\{[^}]*\}|\d+)\s*行", ("",), "a CSV row is 第 n 列; 行 is mainland usage"),
    Rule(r"受理", PUBLIC, "a filed case is received (收到), not 受理, a formal decision"),
    Rule(r"依限辦結|逾限辦結", PUBLIC, "依限辦結 is the secretariat's closure label"),
    Rule(r"已分案|調查中|重複案件", ("status.",), "a reporter reads everyday state names"),
    Rule(r"測試人|稽查員|管理者|(?<!系統)管理員", ("",), "the roles are 稽查同仁 and 系統管理員"),
    Rule(r"檢舉人|申訴人", ("",), "a person filing is 陳情人 (the kind may still be 商品檢舉)"),
    Rule(r"即時通(?!公告|服務網)|推播", ("",), "broadcasts are 即時通公告"),
    Rule(r"矯正措施|已擬定措施", ("",), "the record is 矯正及預防措施; its plan field 改善作法"),
    Rule(r"bsmi-desk ", ("",), "staff are told whom to ask, never a command line"),
    Rule(r"移轉", ("",), "a case goes to the competent agency: 移送 (行政程序法 第 17 條)"),
    Rule(
        r"回覆(率|數|件數)", ("",), "survey answers are 回收數／回收率; 回覆 is the branch's reply"
    ),
    Rule(r"台", ("",), "official text writes 臺: 臺灣, 服務臺 (and 櫃檯)"),
    Rule(r"工作天", ("",), "working days are 工作日"),
    Rule(r"[Cc]orrective actions?\b", ("",), "矯正及預防措施 in English", language="en"),
]
"""The glossary's forbidden variants (README, "Glossary"). The command-line rule has the
exceptions below: messages only the command line prints, to the person at the terminal."""

COMMAND_LINE_ONLY = {"courtesy.plan.no_staff", "surveys.errors.unknown_category"}
"""Printed by `bsmi-desk courtesy plan` and `bsmi-desk survey send` alone, to the person who
runs them."""


def _violations(rule: Rule) -> list[str]:
    found = []
    for key, text in catalogue(rule.language).items():
        if rule.pattern == r"bsmi-desk " and key in COMMAND_LINE_ONLY:
            continue
        if key.startswith(rule.scope) and re.search(rule.pattern, text):
            found.append(key)
    return found


@pytest.mark.parametrize("rule", RULES, ids=[r.pattern for r in RULES])
def test_the_catalogues_avoid_the_glossarys_forbidden_variants(rule: Rule) -> None:
    assert _violations(rule) == [], rule.why


def test_the_rule_check_would_find_a_forbidden_variant(monkeypatch: pytest.MonkeyPatch) -> None:
    messages = dict(catalogue("zh-TW"))
    messages["report.filed"] = "✅ 已受理，案號 {number}"
    messages["courtesy.staff.row_line"] = "第 {line} 行：{problem}"
    monkeypatch.setattr("tests.kernel.test_glossary.catalogue", lambda language: messages)
    assert _violations(RULES[1]) == ["report.filed"]
    assert _violations(RULES[0]) == ["courtesy.staff.row_line"]


@pytest.mark.parametrize(
    ("pattern", "key", "text"),
    [
        ("移轉", "period.handled_note", "不含重複案件及移轉他機關的案件"),
        ("回覆(率|數|件數)", "surveys.report.rate", "回覆率"),
        ("台", "language.changed", "已切換為中文（台灣）。"),
        ("台", "report.ask_where_service", "這件事發生在哪裡（櫃台、電話、網站……）？"),
        ("工作天", "courtesy.remind.due", "還有 3 個工作天"),
    ],
)
def test_the_new_rules_would_find_their_variant(
    monkeypatch: pytest.MonkeyPatch, pattern: str, key: str, text: str
) -> None:
    messages = dict(catalogue("zh-TW"))
    messages[key] = text
    monkeypatch.setattr("tests.kernel.test_glossary.catalogue", lambda language: messages)
    [rule] = [r for r in RULES if r.pattern == pattern]
    assert _violations(rule) == [key]


def test_the_english_rule_would_find_corrective_actions_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    messages = dict(catalogue("en"))
    messages["courtesy.actions.none"] = "There are no corrective actions."
    monkeypatch.setattr("tests.kernel.test_glossary.catalogue", lambda language: messages)
    [rule] = [r for r in RULES if r.language == "en"]
    assert _violations(rule) == ["courtesy.actions.none"]


NOTICE_TEMPLATE = Path(__file__).resolve().parents[2] / "kernel/templates/notices/zh-TW"


ZH_RULES = [r for r in RULES if r.language == "zh-TW"]


@pytest.mark.parametrize("rule", ZH_RULES, ids=[r.pattern for r in ZH_RULES])
def test_the_zh_tw_notice_template_follows_the_glossary_too(rule: Rule) -> None:
    for path in NOTICE_TEMPLATE.glob("*.j2"):
        assert not re.search(rule.pattern, path.read_text(encoding="utf-8")), (path, rule.why)


FORGET_ZH = "訂閱、公司資料，以及案件上的姓名、電話與 Telegram 帳號"
FORGET_EN = (
    "subscriptions, company details, and the name, phone and Telegram account kept with cases"
)


@pytest.mark.parametrize(("language", "wording"), [("zh-TW", FORGET_ZH), ("en", FORGET_EN)])
def test_what_forget_deletes_is_said_the_same_way_everywhere(language: str, wording: str) -> None:
    for key in (
        "commands.forget",
        "forget.confirm",
        "forget.done",
        "privacy.text",
        "surveys.invitation.privacy",
        "surveys.case.privacy",
    ):
        assert wording in catalogue(language)[key], key


IDENTITY = {
    "zh-TW": "秘書室（研考）及系統管理員",
    "en": "secretariat (research and evaluation) and the system administrators",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_who_sees_a_reporters_identity_is_said_the_same_way_everywhere(language: str) -> None:
    for key in ("privacy.text", "report.ask_contact", "report.contact_saved", "cases.reporter"):
        assert IDENTITY[language] in catalogue(language)[key], key


@pytest.mark.parametrize(
    ("language", "quoted"),
    [
        ("zh-TW", "行政程序法第 173 條，陳情「無具體之內容或未具真實姓名或住址者」，得不予處理"),
        (
            "en",
            "Art. 173 of the Administrative Procedure Act a petition “without concrete "
            "content, or without a real name or address” may be left unhandled",
        ),
    ],
)
def test_article_173_is_quoted_right_wherever_anonymity_is_explained(
    language: str, quoted: str
) -> None:
    for key in ("privacy.text", "report.anonymous_warning", "report.ask_contact"):
        assert quoted in t(language, key, share="", typed="", anonymous="", phone="", address="")


@pytest.mark.parametrize(
    ("language", "conditions"),
    [
        (
            "zh-TW",
            (
                "一、無具體之內容或未具真實姓名或住址者。",
                "二、同一事由，經予適當處理，並已明確答覆後，而仍一再陳情者。",
                "三、非主管陳情內容之機關，接獲陳情人以同一事由分向各機關陳情者。",
            ),
        ),
        (
            "en",
            (
                "1. it has no concrete content, or no real name or address",
                "2. on the same matter, it was duly handled and clearly answered, and is still "
                "petitioned again and again",
                "3. an agency not competent for its content receives it, the petitioner having "
                "sent it on the same matter to several agencies",
            ),
        ),
    ],
)
def test_the_not_handled_prompt_gives_article_173_with_its_conditions(
    language: str, conditions: tuple[str, ...]
) -> None:
    prompt = catalogue(language)["cases.prompts.not_handled"]
    for condition in conditions:
        assert condition in prompt
