"""Imports by uploading the CLI's CSV in chat, through the fake Bot API with real files: the
register refused whole for one bad row, then previewed and imported (equal to what the CLI
imports), the staff directory equal to the CLI's, twelve units' scores, cases received
elsewhere; a wrong role refused and audited for each kind; a stale 「匯入」 after 「取消」, a 21 MB
file, a file that is no CSV and a Big5 file; `/registry <統一編號>` with the reminders."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from bot.cli.app import app
from bot.notices.firms import tax_id_is_valid
from kernel.clock import utcnow
from storage.models import AuditEntry, Case, Certificate, CourtesyStaff, Role
from storage.models.assessment import AssessmentScore
from storage.seeds import UNITS
from tests.factories import directory_csv, person
from tests.harness import BotHarness

SECRETARY, INSPECTOR, ADMIN = 7401, 7402, 7403
REGISTER = (
    "tax_id,kind,number,product,expires_on\n"
    "83045210,rpc,R-1,Fan,2030-01-31\n"
    "83045211,rpc,R-2,Heater,2030-03-31\n"
    "27505051,cns,C-7,Helmet,119/06/30\n"
)
CORRECTED = REGISTER.replace("83045211", "83045210")


def staff(bot: BotHarness) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")


def count(bot: BotHarness, model: type) -> int:
    return bot.db.call(lambda session: session.exec(select(func.count()).select_from(model)).one())


def audits(bot: BotHarness, action: str) -> list[AuditEntry]:
    def find(session: Session) -> list[AuditEntry]:
        found = select(AuditEntry).where(col(AuditEntry.action) == action)
        return list(session.exec(found).all())

    return bot.db.call(find)


def cli_run(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout


async def import_pressed(bot: BotHarness, user: int = SECRETARY) -> str:
    """Press the latest preview's 「Import」 and return the bot's answer."""
    return await bot.press(user, bot.fake.button_data(user, "Import"), language_code="en")


async def test_a_register_with_one_bad_row_is_refused_whole_then_the_corrected_file_imports(
    bot: BotHarness, cli: CliRunner, tmp_path: Path
) -> None:
    staff(bot)
    refused = await bot.send_file(
        SECRETARY, "register.csv", REGISTER.encode(), caption="/registry", language_code="en"
    )
    assert "1 rows of the file are wrong; nothing was imported:" in refused
    assert "Line 3: the tax ID (統一編號) “83045211” fails" in refused
    assert count(bot, Certificate) == 0
    preview = await bot.send_file(
        SECRETARY, "register.csv", CORRECTED.encode(), language_code="en"
    )  # no caption: the wait for a corrected file is open
    assert "Import preview: certificate register" in preview
    assert "The file was read as UTF-8." in preview
    assert "3 rows: 3 added, 0 updated, 0 unchanged, 0 removed from the register" in preview
    assert "9 expiry reminders will be planned" in preview
    assert count(bot, Certificate) == 0  # nothing before 「匯入」
    done = await import_pressed(bot)
    assert "Imported: 3 added, 0 updated" in done and "9 reminders planned" in done
    assert count(bot, Certificate) == 3
    [row] = audits(bot, "chat.registry_import")
    assert row.actor_telegram_id == SECRETARY and row.target == "register.csv"
    assert '"added": 3' in (row.detail or "") and '"sha256": "' in (row.detail or "")
    source = tmp_path / "register.csv"
    source.write_text(CORRECTED, encoding="utf-8")
    same = cli_run(cli, "registry", "import", str(source))
    assert "0 added, 0 updated, 3 unchanged" in same  # the CLI finds nothing to change
    shown = await bot.say(SECRETARY, "/registry #83045210", language_code="en")
    printed = cli_run(cli, "registry", "show", "83045210")
    assert (
        shown.splitlines()[0] == "Certificates of tax ID 83045210 (2) and their expiry reminders:"
    )
    assert shown.splitlines()[1:] == printed.splitlines()
    assert "90-day reminder: planned 2029-11-02, planned" in shown


async def test_registry_with_a_bad_number_is_one_sentence_and_a_firm_without_certificates(
    bot: BotHarness,
) -> None:
    staff(bot)
    said = await bot.say(SECRETARY, "/registry 12345678", language_code="en")
    assert said == (
        "This tax ID (統一編號) fails the Ministry of Finance check digit; "
        "please check it and send it again."
    )
    none = await bot.say(SECRETARY, "/registry 04595257", language_code="en")
    assert none == "No certificates are registered for tax ID 04595257."


async def test_a_stale_import_after_cancel_is_answered_once_and_imports_nothing(
    bot: BotHarness,
) -> None:
    staff(bot)
    asked = await bot.say(SECRETARY, "/registry", language_code="en")
    assert "Upload the certificate register as a CSV file" in asked
    await bot.send_file(SECRETARY, "register.csv", CORRECTED.encode(), language_code="en")
    go = bot.fake.button_data(SECRETARY, "Import")
    cancelled = await bot.press(SECRETARY, bot.fake.button_data(SECRETARY, "Cancel"))
    assert cancelled == "已取消，沒有匯入任何資料。"
    answers = len(bot.fake.calls("answerCallbackQuery"))
    sent = len(bot.fake.calls("sendMessage", chat_id=SECRETARY))
    bot.fake.press_button(SECRETARY, go, language_code="en")
    await bot.wait_until(
        lambda: len(bot.fake.calls("answerCallbackQuery")) > answers, what="the stale answer"
    )
    await bot.settle()
    [stale] = bot.fake.calls("answerCallbackQuery")[answers:]
    assert "no longer valid" in stale.params["text"]
    assert len(bot.fake.calls("sendMessage", chat_id=SECRETARY)) == sent
    assert count(bot, Certificate) == 0


async def test_a_file_too_large_not_a_csv_or_in_big5_is_told_in_one_sentence(
    bot: BotHarness,
) -> None:
    staff(bot)
    big = b"tax_id,kind,number,product,expires_on\n" + b"x" * (21 * 1024 * 1024)
    said = await bot.send_file(SECRETARY, "big.csv", big, caption="/registry", language_code="en")
    assert said == (
        "The file big.csv is larger than the 20 MB Telegram lets a bot download; "
        "split it into smaller files and upload them."
    )
    said = await bot.send_file(
        SECRETARY, "scan.pdf", b"%PDF-1.4", caption="/staff", language_code="en"
    )
    assert said == "The file scan.pdf is not a CSV file; upload a file whose name ends in .csv."
    big5 = CORRECTED.replace("Helmet", "安全帽").encode("cp950")
    said = await bot.send_file(SECRETARY, "登錄簿.csv", big5, caption="/registry")
    assert "已以 Big5 (CP950) 編碼讀取檔案。" in said and "共 3 列：新增 3" in said


async def test_each_kind_refuses_an_inspector_and_audits_it(bot: BotHarness) -> None:
    staff(bot)
    for caption, kind in (
        ("/registry", "registry"),
        ("/staff", "staff"),
        ("/scores 2027-H1", "scores"),
        ("/cases_import", "cases"),
    ):
        said = await bot.send_file(
            INSPECTOR, "file.csv", CORRECTED.encode(), caption=caption, language_code="en"
        )
        assert "not allowed" in said or "permission" in said.lower(), said
        [row] = audits(bot, f"denied:import_{kind}")
        assert row.actor_telegram_id == INSPECTOR and not row.allowed
    for command in ("/staff", "/scores 2027-H1", "/cases_import"):
        await bot.say(INSPECTOR, command, language_code="en")
    assert [r.detail for r in audits(bot, "denied:import_command")] == ["/staff"]
    refused = audits(bot, "denied:secretariat_import_command")
    assert sorted(r.detail or "" for r in refused) == ["/cases_import", "/scores"]
    await bot.say(INSPECTOR, "/registry 83045210", language_code="en")
    assert [r.detail for r in audits(bot, "denied:registry_command")] == ["/registry"]
    assert count(bot, Certificate) == 0


async def test_scores_and_cases_are_the_secretariats_alone_an_admin_is_refused_and_audited(
    bot: BotHarness,
) -> None:
    """附表2 scores and cases received elsewhere are the secretariat's (研考), not the system
    admins': an admin without the secretariat role is refused at every step of both uploads,
    and may still upload the staff directory."""
    staff(bot)
    person(bot.db, ADMIN, Role.ADMIN)
    for caption, kind in (("/scores 2027-H1", "scores"), ("/cases_import", "cases")):
        said = await bot.send_file(
            ADMIN, "file.csv", scores_csv().encode(), caption=caption, language_code="en"
        )
        assert "permission" in said.lower(), said
        [row] = audits(bot, f"denied:import_{kind}")
        assert row.actor_telegram_id == ADMIN and not row.allowed
        said = await bot.say(ADMIN, caption, language_code="en")
        assert "permission" in said.lower(), said
    refused = audits(bot, "denied:secretariat_import_command")
    assert [(r.actor_telegram_id, r.detail) for r in refused] == [
        (ADMIN, "/scores"),
        (ADMIN, "/cases_import"),
    ]
    assert count(bot, AssessmentScore) == 0 and count(bot, Case) == 0
    asked = await bot.say(ADMIN, "/staff", language_code="en")
    assert "permission" not in asked.lower()
    preview = await bot.send_file(
        SECRETARY, "scores.csv", scores_csv().encode(), caption="/scores 2027-H1"
    )
    assert "2027-H1" in preview and count(bot, AssessmentScore) == 0


async def test_the_staff_directory_from_chat_equals_the_clis(
    bot: BotHarness, cli: CliRunner, tmp_path: Path
) -> None:
    staff(bot)
    text = directory_csv()
    await bot.say(SECRETARY, "/staff", language_code="en")
    preview = await bot.send_file(SECRETARY, "staff.csv", text.encode(), language_code="en")
    assert "84 people: 84 added, 0 updated, 0 unchanged, 0 deactivated." in preview
    assert count(bot, CourtesyStaff) == 0
    done = await import_pressed(bot)
    assert done == "Directory imported: 84 added, 0 updated, 0 unchanged, 0 deactivated."
    source = tmp_path / "staff.csv"
    source.write_text(text, encoding="utf-8")
    again = cli_run(cli, "courtesy", "staff", "import", str(source))
    assert "0 added, 0 updated, 84 unchanged, 0 deactivated" in again
    assert [r.actor_telegram_id for r in audits(bot, "chat.staff_import")] == [SECRETARY]


def scores_csv(bad: bool = False) -> str:
    lines = ["unit,basic,delivery,capacity,evaluation,innovation"]
    for index, (code, _, _) in enumerate(UNITS):
        lines.append(f"{code},{180 - index},270,170,160,80")
    if bad:
        lines[3] = lines[3].replace(",270,", ",301,")
        lines[8] = lines[8].replace(",80", ",eighty")
    return "\n".join(lines) + "\n"


async def test_twelve_units_scores_for_a_period_are_previewed_then_imported(
    bot: BotHarness,
) -> None:
    staff(bot)
    said = await bot.say(SECRETARY, "/scores", language_code="en")
    assert said.startswith("Name the period, e.g. /scores 2027-H1")
    said = await bot.say(SECRETARY, "/scores 2027-13", language_code="en")
    assert said.startswith('"2027-13" is not a period: use ')
    refused = await bot.send_file(
        SECRETARY,
        "scores.csv",
        scores_csv(bad=True).encode(),
        caption="/scores 2027-H1",
        language_code="en",
    )
    assert "2 rows of the file are wrong; nothing was imported:" in refused
    assert "Row 4: the delivery score 301 is out of range" in refused
    assert 'Row 9: the innovation score "eighty" is not a whole number' in refused
    preview = await bot.send_file(
        SECRETARY, "scores.csv", scores_csv().encode(), language_code="en"
    )
    assert "2027-H1: scores of 12 units, 12 scored for the first time, 0 changed" in preview
    assert count(bot, AssessmentScore) == 0
    done = await import_pressed(bot)
    assert done == "Imported the scores of 12 units for 2027-H1."
    assert count(bot, AssessmentScore) == 12
    [row] = audits(bot, "assessment.import")
    assert row.actor_telegram_id == SECRETARY and row.target == "2027-H1"


async def test_cases_received_elsewhere_are_previewed_then_imported(bot: BotHarness) -> None:
    staff(bot)
    day = (utcnow().astimezone(bot.settings.tz).date() - timedelta(days=20)).isoformat()
    text = (
        "channel,kind,received_on,subject,description,unit\n"
        f"phone,product,{day},電暖器 WarmUp HX-200,民眾來電反映插頭過熱冒煙,sec2\n"
        f"letter,service,{day},櫃檯服務態度,民眾來函反映櫃檯人員態度不佳,\n"
    )
    preview = await bot.send_file(
        SECRETARY, "cases.csv", text.encode(), caption="/cases_import", language_code="en"
    )
    assert "2 cases: 1 product reports, 1 service complaints, 0 monitor reports" in preview
    assert "1 already have a unit" in preview
    assert count(bot, Case) == 0
    done = await import_pressed(bot)
    year = day[:4]
    assert done == f"Imported 2 cases: P{year}-00001 … S{year}-00001"
    assert count(bot, Case) == 2
    [row] = audits(bot, "chat.cases_import")
    assert row.actor_telegram_id == SECRETARY and '"cases": 2' in (row.detail or "")


async def test_the_previewed_file_is_imported_after_a_restart_and_a_changed_one_is_not(
    bot: BotHarness,
) -> None:
    """The wait keeps the file's id and SHA-256 (not its bytes): 「匯入」 after a restart
    downloads it again, and a file whose bytes differ from the preview's is refused."""
    staff(bot)
    await bot.send_file(
        SECRETARY, "register.csv", CORRECTED.encode(), caption="/registry", language_code="en"
    )
    go = bot.fake.button_data(SECRETARY, "Import")
    await bot.restart()
    done = await bot.press(SECRETARY, go, language_code="en")
    assert done.startswith("Imported: 3 added")
    more = CORRECTED + "72979298,cns,C-8,Lamp,2031-01-31\n"
    await bot.send_file(
        SECRETARY, "register.csv", more.encode(), caption="/registry", language_code="en"
    )
    file_id = bot.fake.calls("getFile")[-1].params["file_id"]
    bot.fake.add_file(file_id, more.replace("Lamp", "Toaster").encode())
    said = await import_pressed(bot)
    assert said == (
        "The file is not the one previewed; nothing was imported. Please upload it again."
    )
    assert count(bot, Certificate) == 3


async def test_a_file_with_hundreds_of_bad_rows_is_refused_in_one_message_that_fits(
    bot: BotHarness,
) -> None:
    staff(bot)
    rows = [f"8304521{n % 10},rpc,R-{n},{'扇' * 150},2030-01-31" for n in range(400)]
    bad = "tax_id,kind,number,product,expires_on\n" + "\n".join(rows) + "\n"
    said = await bot.send_file(
        SECRETARY, "register.csv", bad.encode(), caption="/registry", language_code="en"
    )
    listed = said.count("\nLine ")
    assert len(said) <= 4096 and listed > 10
    wrong = sum(not tax_id_is_valid(f"8304521{n % 10}") for n in range(400))
    assert said.startswith(f"{wrong} rows of the file are wrong; nothing was imported:")
    assert f"{wrong - listed} more rows are wrong and not listed one by one." in said
