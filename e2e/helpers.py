"""Helpers for browser tests that are plain functions, not fixtures."""

from playwright.sync_api import Page, expect

from xinfang.devdata.cast import PASSWORD

LOGIN_PATH = "/accounts/login/"
CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy", "Refused to")


def login_as(page: Page, username: str, password: str = PASSWORD) -> Page:
    """Log in through the real login form, as a person would.

    The page's context has the live server as its base URL, so relative
    paths work. Does not assert success: a wrong password stays on the form.
    """
    page.goto(LOGIN_PATH)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page


def expect_logged_in(page: Page) -> None:
    """The application shell is showing: the top bar's logout button and the main navigation landmark.

    The landmark is checked for presence, not visibility: it is empty (zero
    height) while no app has landed a nav entry the user may see.
    """
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    expect(page.get_by_role("navigation", name="主导航")).to_be_attached()


def is_csp_violation(text: str) -> bool:
    return any(marker in text for marker in CSP_MARKERS)


# --- carrying a case through its action forms ---------------------------------
# The same steps as e2e/test_workflow.py's local helpers, with the password
# as a parameter so the demo county's accounts (xinfang2024) can log in too.


def logout(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def switch_user(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log out whoever is logged in, then log in as `username` through the real form, and check it worked."""
    if page.get_by_role("button", name="退出").count():
        logout(page)
    login_as(page, username, password)
    expect_logged_in(page)


def case_status(page: Page):
    """The status label in the case page's facts (基本情况)."""
    return page.locator("dl.facts strong.status")


def act_on_case(page: Page, case_url: str, button: str, fill=None) -> None:
    """Open the case, click an action button (htmx loads its form), fill it, confirm, wait for 已<button>."""
    page.goto(case_url)
    page.get_by_role("link", name=button, exact=True).click()
    form = page.locator(".action-form")
    expect(form).to_be_visible()
    if fill:
        fill(form)
    form.get_by_role("button", name=f"确认{button}").click()
    page.wait_for_url(f"**{case_url}")
    expect(page.locator(".messages")).to_contain_text(f"已{button}")


def reseed_migration_data() -> None:
    """Put back the migrations' seed data that an earlier transactional test's flush removed."""
    import importlib

    from django.apps import apps

    from xinfang.cases.categories import seed_categories
    from xinfang.cases.models import Category
    from xinfang.clock.models import CalendarYear, RuleSet

    if not Category.objects.exists():
        seed_categories(Category)
    if not RuleSet.objects.exists():
        importlib.import_module("xinfang.clock.migrations.0003_seed_rule_sets").seed(apps, None)
    if not CalendarYear.objects.exists():
        importlib.import_module("xinfang.clock.migrations.0002_seed_calendar").seed(apps, None)


# --- phone-sized screens -------------------------------------------------------

PHONE = {"width": 375, "height": 812}

# How far the page itself scrolls sideways, and the outermost elements that
# stick out of the viewport without a scrolling box of their own around them.
_SIDEWAYS = """() => {
  const root = document.scrollingElement;
  const width = root.clientWidth;
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const culprits = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5) continue;
    let inside = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (scrolls(p)) { inside = true; break; }
    }
    const parent = el.parentElement;
    const parentSticksOut = parent && parent !== document.body && parent.getBoundingClientRect().right > width + 0.5;
    if (!inside && !parentSticksOut) {
      const classes = String(el.className || "").trim().split(/\\s+/).filter(Boolean);
      culprits.push([el.tagName.toLowerCase(), ...classes].join(".") + ` (${Math.round(box.right)}px)`);
    }
  }
  return {overflow: root.scrollWidth - width, culprits: culprits.slice(0, 8)};
}"""


def expect_no_sideways_scroll(page: Page, what: str) -> None:
    """The page itself does not scroll sideways; names what sticks out when it does."""
    page.wait_for_load_state("networkidle")
    result = page.evaluate(_SIDEWAYS)
    assert result["overflow"] <= 0, (
        f"{what} scrolls sideways by {result['overflow']}px at {page.viewport_size}: {', '.join(result['culprits'])}"
    )
