"""The workspace's gatherings over real HTTP on both databases (issue 15 item 8): announce one
through the form, another Party registers its participants, the organizer adds a material and
cancels; the pages in each language, refusals in the reader's language, and the calendar
address given on the list page answering an iCalendar file without a token."""

from __future__ import annotations

import re

import httpx
import icalendar

from tests.conftest import LiveServer
from tests.web.test_ui_workspace import ALERT, client_for
from tests.web.ui_exchange_setup import exchange_with_passwords
from tests.web.ui_session import post_form

GATHERING = re.compile(r"/workspace/gatherings/([0-9a-f-]{36})")


def test_a_training_course_from_announcement_to_cancellation(live_server: LiveServer) -> None:
    exchange_with_passwords(live_server.node)
    with client_for(live_server, "kz", "kk") as kz, client_for(live_server, "ru", "ru") as ru:
        listing = kz.get("/workspace/gatherings")
        assert listing.status_code == 200 and "Оқыту, конференциялар және кездесулер" in \
            listing.text
        refused = post_form(kz, "/workspace/gatherings", "/workspace/gatherings", {
            "kind": "training", "title": "Course", "starts": "2026-12-10T09:00",
            "ends": "2026-12-11T18:00", "zone": "Mars/Olympus", "registration_until":
            "2026-12-05", "place": "Astana", "languages": ["kk"], "directions": ["17"]})
        assert refused.status_code == 400 and "уақыт белдеуі белгісіз" in refused.text
        made = post_form(kz, "/workspace/gatherings", "/workspace/gatherings", {
            "kind": "training", "title": "Incident handling course",
            "starts": "2026-12-10T09:00", "ends": "2026-12-11T18:00", "zone": "Asia/Almaty",
            "registration_until": "2026-12-05", "place": "Astana", "places_per_party": "2",
            "languages": ["kk", "ru"], "directions": ["17", "19"]})
        assert made.status_code == 303, made.text[:2000]
        found = GATHERING.search(made.headers["location"])
        assert found
        page = f"/workspace/gatherings/{found.group(1)}"
        shown = kz.get(page)
        assert "Incident handling course" in shown.text
        assert "04:00:00 UTC" in shown.text  # 09:00 in Almaty (+05:00) is 04:00 UTC
        too_many = post_form(ru, page, f"{page}/registration", {
            "participants": "A. Ivanov — instructor\nB. Petrov\nC. Sidorov"})
        assert too_many.status_code == 400
        found_alert = ALERT.search(too_many.text)
        assert found_alert and "от 1 до 2" in found_alert.group(1)
        registered = post_form(ru, page, f"{page}/registration", {
            "participants": "A. Ivanov — instructor\nB. Petrov"})
        assert registered.status_code == 303
        shown = ru.get(page)
        assert "Участники вашей Стороны зарегистрированы." in ru.get(
            registered.headers["location"]).text
        assert re.search(r'<tr data-party="RUS">.*A\. Ivanov — instructor.*B\. Petrov',
                         shown.text, re.S)
        assert 'id="cancel-form"' not in shown.text  # only the organizer cancels
        assert post_form(kz, page, f"{page}/materials", {
            "title": "Syllabus", "url": "https://example.org/syllabus.pdf"}).status_code == 303
        assert post_form(kz, page, f"{page}/cancellation",
                         {"reason": "moved to 2027"}).status_code == 303
        assert "moved to 2027" in kz.get(page).text
        address = re.search(r"<code>(http[^<]+\.ics)</code>",
                            ru.get("/workspace/gatherings").text)
        assert address
    with client_for(live_server, "by", "en") as by:
        shown = by.get(page)
        assert "Participants by Party" in shown.text and "Syllabus" in shown.text
        assert 'id="register-form"' not in shown.text  # cancelled: registration closed
    calendar = httpx.get(address.group(1), timeout=10)
    assert calendar.status_code == 200
    event, = icalendar.Calendar.from_ical(calendar.content).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED" and str(event["summary"]) == \
        "Incident handling course"


def test_the_library_through_the_forms_in_each_language(live_server: LiveServer) -> None:
    exchange_with_passwords(live_server.node)
    with client_for(live_server, "kz", "kk") as kz, client_for(live_server, "ru", "ru") as ru:
        made = post_form(kz, "/workspace/practices", "/workspace/practices", {
            "language": "kk", "title": "Қауіпті домендерді бұғаттау",
            "text": "DNS деңгейінде бұғаттау тәжірибесі.", "keywords": "DNS, RPZ",
            "directions": ["19"]})
        assert made.status_code == 303, made.text[:2000]
        page = made.headers["location"].split("?")[0]
        assert "Кітапханада жарияланды." in kz.get(made.headers["location"]).text
        added = post_form(ru, page, f"{page}/translations", {
            "language": "ru", "title": "Блокировка опасных доменов",
            "text": "Опыт блокировки на уровне DNS."})
        assert added.status_code == 303
        shown = ru.get(page)
        assert shown.status_code == 200 and "Блокировка опасных доменов" in shown.text
        assert 'lang="kk" id="text-kk"' in shown.text and 'lang="ru" id="text-ru"' in shown.text
        found = ru.get("/workspace/practices", params={"q": "БҰҒАТТАУ"})  # folded, any language
        assert found.status_code == 200 and page.rsplit("/", 1)[1] in found.text
        assert "Подходящих практик нет." in ru.get("/workspace/practices",
                                                   params={"q": "phishing"}).text
        bad = ru.get("/workspace/practices", params={"q": '"unclosed'})
        assert bad.status_code == 400 and ALERT.search(bad.text)
    with client_for(live_server, "by", "en") as by:
        assert "Library of best practice" in by.get("/workspace").text
        assert 'id="translate-form"' in by.get(page).text  # English is still missing
