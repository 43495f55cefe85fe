"""axe-core (vendored, run in the page) on each public portal page at phone size: no serious or critical violations."""

from pathlib import Path

import pytest

from e2e.helpers import PHONE, reseed_migration_data
from xinfang.portal.models import Mailbox

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js").read_text(encoding="utf-8")
PAGES = [
    "/portal/",
    "/portal/write/",
    "/portal/track/",
    "/portal/track/by-id/",
    "/portal/guide/",
    "/portal/guide/rights/",
    "/portal/guide/channels/",
    "/portal/guide/routes/",
    "/portal/guide/periods/",
    "/portal/guide/reception/",
]


def test_no_serious_accessibility_violations_on_the_portals_pages(page, e2e_cast):
    reseed_migration_data()
    Mailbox.objects.create(name="清河县信访局", org=e2e_cast.bureau, description="反映清河县的问题")
    page.set_viewport_size(PHONE)
    found = []
    for path in PAGES:
        page.goto(path)
        # Evaluated through the DevTools protocol, so the page's CSP (no inline script) does not stop it.
        page.evaluate(AXE + "\n;0")
        result = page.evaluate(
            "async () => { const r = await axe.run(document);"
            " return {passes: r.passes.length, bad: r.violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))}; }"
        )
        assert result["passes"] > 0, path  # axe ran its rules on the page
        found += [f"{path} {v}" for v in result["bad"]]
    assert found == []
