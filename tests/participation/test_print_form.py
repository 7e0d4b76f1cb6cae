"""The paper form: the same questions as the web form, ready to print and hand out."""

from __future__ import annotations


def test_the_paper_form_lists_the_same_questions_as_tick_boxes_and_lines(client, briefing):
    page = client.get("/c/chicago/print/").content.decode().replace("&#x27;", "'")
    for topic in briefing.topics.filter(is_published=True):
        assert topic.name in page
    for answer in ["Resident", "Advocate", "Community organization", "Prefer not to say", "Outside Chicago"]:
        assert answer in page
    assert page.count('class="tick-box"') >= 9 + 1 + 5 + 2 + 1
    assert page.count('class="write-line"') >= 10
    assert "immigration status: we never ask for them" in page  # the form says so...
    questions = [section.split("</h2>")[0].lower() for section in page.split('<h2 id="paper-')[1:]]
    assert [question.split('">')[1] for question in questions] == [
        "1. topic (tick one, optional)",
        "2. your concern",
        "3. you are (tick one)",
        "4. community area",
        "5. email (optional)",
        "6. participation code (optional)",
    ]  # ...and these six are all it asks: no status, citizenship, name or address
    assert "<input" not in page.split('id="main"')[1]  # paper, not a web form


def test_pages_carry_the_print_stylesheet(client, briefing):
    page = client.get("/c/chicago/print/").content.decode()
    assert 'href="/static/css/print.css" media="print"' in page


def test_the_paper_form_exists_in_spanish(client, briefing):
    response = client.get("/es/c/chicago/print/")
    assert response.status_code == 200
    assert '<html lang="es">' in response.content.decode()
