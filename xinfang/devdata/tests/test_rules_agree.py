"""Each rule's two forms agree: the Python check (buttons, the action's guard) and the queryset
(the workbench's to-do tabs), on every demo case for every demo user; and so do the predicates.

Built once per module on demo cases made by the real actions in every state, so the rules meet
the data the product makes, not hand-picked rows.
"""

from functools import reduce
from operator import or_

import pytest
from django.db.models import Prefetch

from xinfang.cases import predicates as P
from xinfang.cases import workbench as wb
from xinfang.cases.access import scoped_cases
from xinfang.cases.models import Case, CaseOrg
from xinfang.cases.permissions import only_own_cases
from xinfang.cases.spec import specs
from xinfang.devdata.cases import _ensure_discipline_staff, build_demo_cases
from xinfang.devdata.county import DemoContext, build_orgs, build_petitioners, build_staff
from xinfang.orgs.actors import as_actor
from xinfang.orgs.models import User

# To-dos narrower than the rule on purpose, and why.
NARROWER = {
    # Notices other than the reply may be delivered too, but only the undelivered reply holds a case up.
    "record_delivery": "only the signed reply not yet delivered",
}


pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    """One demo county with cases made by the real actions (built once; the checks share it)."""
    ctx = DemoContext(write=lambda _msg: None)
    build_orgs(ctx)
    build_staff(ctx)
    build_petitioners(ctx, 60)
    _ensure_discipline_staff(ctx)
    build_demo_cases(ctx, count=70)
    return ctx


def _cases(user):
    participants = Prefetch("participants", queryset=CaseOrg.objects.select_related("org"))
    return list(
        scoped_cases(user)
        .select_related("current_org", "competent_org", "routing_org", "review_org", "reexam_org", "accused_org")
        .prefetch_related(participants)
    )


def test_the_rules_their_todos_the_workbench_and_the_predicates_agree(demo):
    _rules_and_todos_agree()
    _the_workbench_lists_only_cases_the_user_can_act_on()
    _each_predicate_means_the_same_in_python_and_in_sql()


def _rules_and_todos_agree():
    users = list(User.objects.filter(is_active=True).select_related("org"))
    checked = mismatches = 0
    problems = []
    for user in users:
        cases = _cases(user)
        for spec in specs():
            q = spec.todo_q(user)
            if q is None:
                # No to-do for this user: then the rule never lets them act on a visible case.
                allowed = [c.number for c in cases if spec.check(user, c) is None]
                if spec.todo is not None and allowed:
                    problems.append(f"{user.username} {spec.action}: allowed on {allowed[:3]} but no to-do")
                continue
            in_todo = set(scoped_cases(user).filter(q).values_list("pk", flat=True))
            for case in cases:
                allowed = spec.check(user, case) is None
                listed = case.pk in in_todo
                checked += 1
                if listed and not allowed:
                    mismatches += 1
                    problems.append(f"{user.username} {spec.action} {case.number}: listed but not allowed")
                narrower = spec.action in NARROWER or (only_own_cases(user) and case.handler_id != user.pk)
                if allowed and not listed and not narrower:
                    mismatches += 1
                    problems.append(f"{user.username} {spec.action} {case.number}: allowed but not listed")
    assert checked > 5_000  # users × visible cases × actions with a to-do
    assert problems == []


def _the_workbench_lists_only_cases_the_user_can_act_on():
    for user in User.objects.filter(is_active=True).select_related("org"):
        todo = list(wb.tab_queryset(user, "all"))
        # An app's own tabs (supervision's 督办, 催办, ...) list cases for that app's actions; its tests check them.
        apps = [q for t in wb.TABS if t.todo is not None and (q := t.todo(as_actor(user))) is not None]
        theirs = set(scoped_cases(user).filter(reduce(or_, apps)).values_list("pk", flat=True)) if apps else set()
        idle = [c.number for c in todo if c.pk not in theirs and not any(s.check(user, c) is None for s in specs())]
        assert idle == [], f"{user.username}: 全部待办 lists cases with no action: {idle[:5]}"


def _each_predicate_means_the_same_in_python_and_in_sql():
    cases = list(Case.objects.prefetch_related("participants"))
    assert len(cases) >= 70
    for predicate in P.ALL:
        in_sql = set(Case.objects.filter(predicate.q()).values_list("pk", flat=True))
        in_python = {c.pk for c in cases if predicate(c)}
        assert in_sql == in_python, predicate.key


def test_each_demo_role_sees_what_the_readme_says(db):
    """README: leader — everything under the county; supervisor and statistician — read-only over the county."""
    from xinfang.cases.states import Kind

    ctx = DemoContext(write=lambda _msg: None)
    build_orgs(ctx)
    build_staff(ctx)
    build_petitioners(ctx, 40)
    _ensure_discipline_staff(ctx)
    build_demo_cases(ctx, count=40)
    county = ctx.county
    in_county = {c.pk for c in Case.objects.filter(participants__org__path__startswith=county.path)}
    township_cases = {c.pk for c in Case.objects.filter(registered_org__in=[ctx.orgs["baisha"], ctx.orgs["qingxi"]])}
    assert township_cases, "the demo has cases registered by townships"

    def seen(username):
        return set(scoped_cases(ctx.users[username]).values_list("pk", flat=True))

    accusations = set(Case.objects.filter(kind=Kind.ACCUSATION).values_list("pk", flat=True))
    against_county = set(
        Case.objects.filter(kind=Kind.ACCUSATION, accused_org__in=[county, ctx.orgs["city"]]).values_list(
            "pk", flat=True
        )
    )
    against_bureau = set(
        Case.objects.filter(kind=Kind.ACCUSATION, accused_org=ctx.orgs["bureau"]).values_list("pk", flat=True)
    )
    assert seen("leader") == in_county - against_county
    assert seen("supervisor") == in_county - against_county - against_bureau
    assert township_cases <= seen("supervisor") and township_cases <= seen("statistician")
    assert seen("statistician") == seen("supervisor") - accusations  # counts them, does not read them
    assert seen("admin") & accusations == set()
    assert not seen("leader") - in_county  # nothing of another county
