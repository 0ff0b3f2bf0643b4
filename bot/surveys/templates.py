"""Survey templates: which questions a new survey gets. The texts come from the catalogues
(`surveys.question.<code>`) and are copied into the survey when it is created, so a later
change of wording never changes a survey already sent."""

from __future__ import annotations

from dataclasses import dataclass

from kernel.errors import UserError
from kernel.reporting import plain
from storage.models.surveys import QuestionKind


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    kind: QuestionKind


TEMPLATES: dict[str, tuple[QuestionSpec, ...]] = {
    "service": (
        QuestionSpec("environment", QuestionKind.SCALE),  # 洽公環境
        QuestionSpec("etiquette", QuestionKind.SCALE),  # 服務禮儀
        QuestionSpec("professionalism", QuestionKind.SCALE),  # 服務專業性
        QuestionSpec("measures", QuestionKind.SCALE),  # 服務措施
        QuestionSpec("overall", QuestionKind.SCALE),
        QuestionSpec("comment", QuestionKind.TEXT),
    ),
}


def template_questions(template: str) -> list[tuple[str, str, str, str]]:
    """(code, kind, text in Chinese, text in English) of each question of `template`."""
    specs = TEMPLATES.get(template)
    if specs is None:
        raise UserError(
            "surveys.errors.unknown_template", template=template[:32], known=", ".join(TEMPLATES)
        )
    return [
        (
            spec.code,
            spec.kind.value,
            plain("zh-TW", f"surveys.question.{spec.code}"),
            plain("en", f"surveys.question.{spec.code}"),
        )
        for spec in specs
    ]
