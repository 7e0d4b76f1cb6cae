"""Browser tests: Playwright (Python) driving Debian's Chromium against pytest-django's live server.

- One Chromium for the whole package; each test gets fresh, isolated contexts (cookies, storage), English by
  default (Accept-Language en-US), so one test's participant cookie never leaks into another.
- Every request a page makes must go to the live server itself: anything else is blocked and fails the test,
  which is how these tests prove "no third-party request" (no CDN, web font, analytics).
- A Content Security Policy violation reported by the browser fails the test too.
- On failure, a full-page screenshot of every open page goes to test-artifacts/screenshots/<test-name>.png.
- Chromium comes from CHROMIUM_PATH (default /usr/bin/chromium). When it is missing the tests are skipped,
  except in CI (CI set), where that is an error. Nothing is ever downloaded: never `playwright install`.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from tests.availability import unavailable

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = PROJECT_DIR / "test-artifacts" / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

_reports = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


def chromium_path() -> str | None:
    """The Chromium to drive: CHROMIUM_PATH, else Debian's /usr/bin/chromium; None when it is not there."""
    return shutil.which(os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium")


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for all browser tests; skipped locally (failed in CI) when it is missing."""
    executable = chromium_path()
    if executable is None:
        message = f"Chromium not found at {os.environ.get('CHROMIUM_PATH') or '/usr/bin/chromium'} (set CHROMIUM_PATH)"
        unavailable(message)

    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread, and Django then refuses ORM calls
    # from it (SynchronousOnlyOperation). The tests only use the ORM synchronously, between browser calls.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Guard:
    """What the pages of one test did that they must not: leave the live server, break the CSP."""

    origin: str
    foreign_requests: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _screenshot_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")


def _open_context(browser, request, live_server, viewport: dict) -> Iterator:
    guard = Guard(origin=_origin(live_server.url))
    context = browser.new_context(viewport=viewport, locale="en-US", reduced_motion="reduce")
    context.set_default_timeout(10_000)

    def refuse_other_hosts(route):
        guard.foreign_requests.append(route.request.url)
        route.abort("blockedbyclient")

    def watch_console(message):
        if "Content Security Policy" in message.text:
            guard.csp_violations.append(message.text)

    def watch_responses(response):
        # Pages may answer 4xx on purpose (404 page, form errors); assets must never.
        if response.status >= 400 and response.request.resource_type not in {"document"}:
            guard.failed_responses.append(f"{response.status} {response.url}")

    # Only requests that do NOT start with the live server's origin are routed (the pattern is matched inside the
    # browser driver), so the site's own pages and assets load at full speed.
    context.route(re.compile("^(?!" + re.escape(guard.origin + "/") + ")"), refuse_other_hosts)
    context.on("console", watch_console)
    context.on("response", watch_responses)
    yield context

    problems = [
        f"pages requested other hosts: {guard.foreign_requests}" if guard.foreign_requests else "",
        f"Content Security Policy violations: {guard.csp_violations}" if guard.csp_violations else "",
        f"assets failed to load: {guard.failed_responses}" if guard.failed_responses else "",
    ]
    problems = [problem for problem in problems if problem]
    reports = request.node.stash.get(_reports, {})
    if problems or any(report.failed for report in reports.values()):
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        name = _screenshot_name(request.node.nodeid)
        pages = context.pages
        for number, page in enumerate(pages):
            where = re.sub(r"[^A-Za-z0-9]+", "_", urlsplit(page.url).path).strip("_") or "home"
            suffix = "" if len(pages) == 1 else f"-{number + 1}-{where}"
            try:
                page.screenshot(path=str(SCREENSHOT_DIR / f"{name}{suffix}.png"), full_page=True)
            except Exception as error:  # a failed screenshot must not hide the real failure
                print(f"could not save a screenshot of {page.url}: {error}")
    context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="package")
def live_server():
    """pytest-django's live server, on the loopback address, speaking plain HTTP.

    Overrides pytest-django's fixture of the same name for these tests only. The server builds its middleware
    when it starts, and SecurityMiddleware reads SECURE_SSL_REDIRECT then, so the override must be in place at
    that moment (the per-test `settings` fixture would come too late).
    """
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    with override_settings(SECURE_SSL_REDIRECT=False):
        server = LiveServer("127.0.0.1")
    yield server
    server.stop()


@pytest.fixture
def site(live_server, settings):
    """The live server with the Chicago briefing loaded and the concern form's minimum fill time off."""
    settings.CONCERN_MIN_FILL_SECONDS = 0
    call_command("load_briefing", stdout=io.StringIO())
    return live_server


@pytest.fixture
def phone_context(browser, request, site):
    yield from _open_context(browser, request, site, PHONE)


@pytest.fixture
def desktop_context(browser, request, site):
    yield from _open_context(browser, request, site, DESKTOP)


@pytest.fixture
def phone(phone_context):
    """A page in a 360 x 740 phone-sized window, fresh cookies."""
    return phone_context.new_page()


@pytest.fixture
def desktop(desktop_context):
    """A page in a 1280 x 900 desktop window, fresh cookies."""
    return desktop_context.new_page()


@pytest.fixture(scope="package")
def axe_source() -> str:
    """axe-core as shipped inside the axe-playwright-python package (no download at test time)."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


BLOCKING_IMPACTS = ("serious", "critical")


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} [{violation['impact']}]: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:10]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            if summary:
                lines.append(f"      {summary[:400]}")
    return "\n".join(lines)


# Only what a report needs comes back from the page: axe's full results are large and slow to pass over.
AXE_RUN = """async impacts => {
    const results = await axe.run(document, {resultTypes: ['violations']});
    return results.violations.filter(violation => impacts.includes(violation.impact)).map(violation => ({
        id: violation.id, impact: violation.impact, help: violation.help, helpUrl: violation.helpUrl,
        nodes: violation.nodes.map(({target, html, failureSummary}) => ({target, html, failureSummary})),
    }));
}"""


def serious_violations(page, axe_source: str) -> list[dict]:
    """Run axe-core on the page as it is now; its violations of impact serious or critical."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    return page.evaluate(AXE_RUN, list(BLOCKING_IMPACTS))


@pytest.fixture
def axe_report(axe_source):
    """`axe_report(page)`: axe-core's serious or critical violations on the page as it is now, readably; '' if none."""

    def report(page) -> str:
        return describe_violations(serious_violations(page, axe_source))

    return report


@pytest.fixture
def assert_accessible(axe_report):
    """`assert_accessible(page)` fails, listing each problem readably, when axe-core finds a serious one."""

    def check(page) -> None:
        report = axe_report(page)
        assert not report, f"axe-core on {page.url}:\n{report}"

    return check


# The element's outline and box shadow, and the best contrast (WCAG formula) that any of them, blended over the
# background around the element, has against that background.
FOCUS_STYLE = """element => {
    const parse = text => {
        const match = /rgba?\\(([^)]*)\\)/.exec(text || '');
        if (!match) return null;
        const [r, g, b, a] = match[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
        return {r, g, b, a: a === undefined ? 1 : a};
    };
    const luminance = ({r, g, b}) => {
        const linear = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        const [R, G, B] = [r, g, b].map(linear);
        return 0.2126 * R + 0.7152 * G + 0.0722 * B;
    };
    const contrast = (x, y) => {
        const [l1, l2] = [luminance(x), luminance(y)].sort((p, q) => q - p);
        return (l1 + 0.05) / (l2 + 0.05);
    };
    let background = {r: 255, g: 255, b: 255, a: 1};
    for (let node = element.parentElement; node; node = node.parentElement) {
        const colour = parse(getComputedStyle(node).backgroundColor);
        if (colour && colour.a === 1) { background = colour; break; }
    }
    const over = c => ({r: c.r * c.a + background.r * (1 - c.a), g: c.g * c.a + background.g * (1 - c.a),
                        b: c.b * c.a + background.b * (1 - c.a)});
    const style = getComputedStyle(element);
    const indicators = [];
    const outlineWidth = parseFloat(style.outlineWidth) || 0;
    if (style.outlineStyle !== 'none' && outlineWidth >= 2) indicators.push(parse(style.outlineColor));
    const shadows = /(rgba?\\([^)]*\\))\\s+(-?[\\d.]+)px\\s+(-?[\\d.]+)px\\s+(-?[\\d.]+)px\\s+(-?[\\d.]+)px/g;
    for (const shadow of (style.boxShadow || '').matchAll(shadows)) {
        if (parseFloat(shadow[5]) >= 2) indicators.push(parse(shadow[1]));
    }
    const outline = `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`;
    return {outline: style.outlineStyle === 'none' ? '' : outline,
            outlineWidth,
            shadow: style.boxShadow === 'none' ? '' : style.boxShadow,
            contrast: Math.max(1, ...indicators.filter(Boolean).map(c => contrast(over(c), background)))};
}"""
DESCRIBE_ELEMENT = """element => {
    const control = ['INPUT', 'SELECT', 'TEXTAREA'].includes(element.tagName);
    const text = ((control ? element.id || element.name : element.innerText) || '').trim().slice(0, 60);
    return `${element.tagName.toLowerCase()}${element.type ? '[' + element.type + ']' : ''} "${text}"`;
}"""


# One Tab stop, measured in a single round trip: the newly focused element, and the previous one now it has lost focus.
FOCUS_STEP = (
    "() => { const style = "
    + FOCUS_STYLE
    + "; const describe = "
    + DESCRIBE_ELEMENT
    + """;
    const walk = window.civictrustFocusWalk || (window.civictrustFocusWalk = {first: null, previous: null});
    const step = {done: false};
    if (walk.previous) step.previousUnfocused = style(walk.previous);
    const element = document.activeElement;
    if (!element || element === document.body || element === walk.first) return {...step, done: true};
    walk.first = walk.first || element;
    walk.previous = element;
    return {...step, element: describe(element), focused: style(element)};
}"""
)


def focus_walk(page, limit: int = 150) -> list[dict]:
    """Tab through a freshly loaded page from the top: each stop's outline and shadow when focused and after."""
    page.evaluate("() => { window.civictrustFocusWalk = null; document.activeElement?.blur(); }")
    stops: list[dict] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        step = page.evaluate(FOCUS_STEP)
        if stops:
            stops[-1]["unfocused"] = step["previousUnfocused"]
        if step["done"]:
            break
        stops.append({"element": step["element"], "focused": step["focused"]})
    return stops


def focus_problems(page) -> tuple[int, str]:
    """Tab through a freshly loaded page: how many stops, and each stop whose focus cannot be seen, readably.

    Focus counts as visible when the focused element gains an outline of at least 2px or a box shadow of at
    least 2px spread that it does not have otherwise, in a colour with a contrast of at least 3:1 against the
    background around the element (WCAG 2.2: 2.4.7 focus visible, 1.4.11 non-text contrast).
    """
    stops = focus_walk(page)
    invisible = []
    for stop in stops:
        focused = stop["focused"]
        unfocused = stop.get("unfocused", {"outline": "", "shadow": ""})
        outline = focused["outline"] and focused["outlineWidth"] >= 2 and focused["outline"] != unfocused["outline"]
        shadow = focused["shadow"] and focused["shadow"] != unfocused["shadow"]
        if not (outline or shadow) or focused["contrast"] < 3:
            invisible.append(f"- {stop['element']}: focused {focused}, unfocused {unfocused}")
    return len(stops), "\n".join(invisible)


@pytest.fixture
def focus_report():
    """`focus_report(page)` is `focus_problems(page)`: (number of Tab stops, readable list of invisible ones)."""
    return focus_problems


@pytest.fixture
def assert_focus_visible():
    """`assert_focus_visible(page)` fails on any Tab stop whose focus cannot be seen (see `focus_problems`).

    Returns the number of stops, so a test can check the walk went somewhere.
    """

    def check(page) -> int:
        count, problems = focus_problems(page)
        assert count, f"nothing on {page.url} can be reached with Tab"
        assert not problems, f"no visible focus indicator on {page.url}:\n{problems}"
        return count

    return check
