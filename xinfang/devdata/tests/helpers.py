from xinfang.devdata.cases import _ensure_discipline_staff
from xinfang.devdata.county import DemoContext, build_orgs, build_petitioners, build_staff


def demo_county(petitioners: int) -> DemoContext:
    """The demo county's orgs and staff (with the discipline commission's) and a few petitioners."""
    ctx = DemoContext(write=lambda _msg: None)
    build_orgs(ctx)
    build_staff(ctx)
    build_petitioners(ctx, petitioners)
    _ensure_discipline_staff(ctx)
    return ctx
