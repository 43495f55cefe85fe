"""The scale generator writes what the real actions write, state by state.

``load_demo --cases N`` simulates each case's life in memory and bulk-inserts
the rows (xinfang/devdata/scale.py). Here a few thousand generated cases are
made, and for every state some of them (together using every action the
generator produced in that state) are replayed through the real actions, as
the demo loader does: registered with ``do_register`` and then taken, event
by event, through the action the event names, by the same actor, at the
same moment (the clock seam), with the inputs the event records, and the
lapse sweep run the night the generated case was finalised (and not the
night before). Their shapes must then be equal: the events (action, actor,
from and to state, note, notice, document, data, time), the deadlines
(clock, org, rule, dates, status, when met), deliveries and handling steps,
participant orgs and co-unit reports, and every workflow and denormalised
field of the case (due_date, due_clock, window_until, evaluation,
reply_delivered_on, closed_on, final_on, version ...). Every generated
history must also be sealed: its hash chain whole, as ``events.record``
builds it.

So if an action starts writing one more event, a deadline, another note or
another document text, the replay differs from the generated case and this
test says where.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from xinfang.cases import actions as A
from xinfang.cases.actions.review import LAPSE_SWEEP, finalize_lapsed
from xinfang.cases.events import chain_break
from xinfang.cases.models import Case, CaseEvent, Delivery, HandlingStep
from xinfang.cases.states import Action, RedirectChannel, Status
from xinfang.cases.states import TrackedAction as T
from xinfang.clock.models import Deadline
from xinfang.clock.services import recompute_deadlines
from xinfang.devdata.cases import _ensure_discipline_staff, travel
from xinfang.devdata.county import DemoContext, build_orgs, build_petitioners, build_staff
from xinfang.devdata.scale import generate
from xinfang.orgs.models import Org
from xinfang.supervision import actions as SA
from xinfang.supervision import listing
from xinfang.supervision.consumer import follow_holder
from xinfang.supervision.models import SupervisionItem, SupervisionReport

pytestmark = pytest.mark.django_db

# Enough cases over a short span that every state and every branch of the plan occurs.
CASES, DAYS = 3000, 200
PER_STATE = 3  # replays per state beyond those needed to cover its actions
# States the generator does not produce (made only by actions it does not simulate).
NOT_GENERATED = {"refused"}

CASE_FIELDS = [
    "channel",
    "received_at",
    "kind",
    "category_id",
    "urgency",
    "importance",
    "summary",
    "content",
    "person_count",
    "place_code",
    "place_name",
    "is_collective",
    "is_skip_level",
    "referring_org_id",
    "referring_ref",
    "leader_instruction",
    "accused_name",
    "accused_org_id",
    "accused_user_id",
    "status",
    "registered_org_id",
    "registered_by_id",
    "registered_at",
    "current_org_id",
    "routing_org_id",
    "competent_org_id",
    "is_assigned",
    "routing_chain",
    "handler_id",
    "review_org_id",
    "reexam_org_id",
    "repeat_of_id",
    "accepted_on",
    "decline_reason",
    "redirect_channel",
    "extension_days",
    "extension_reason",
    "extension_requested_days",
    "reply_decision",
    "reply_draft",
    "replied_on",
    "reply_delivered_on",
    "evaluation",
    "evaluation_source",
    "closed_on",
    "review_decision",
    "review_delivered_on",
    "reexam_decision",
    "final_on",
    "hearing_open",
    "due_date",
    "due_clock",
    "due_provisional",
    "target_date",
    "window_until",
    "version",
    "updated_at",
]
DEADLINE_FIELDS = [
    "clock",
    "org_id",
    "rule_set_id",
    "start",
    "days",
    "working",
    "roll_forward",
    "extension_days",
    "pauses",
    "target_key",
    "target_days",
    "target_working",
    "due_date",
    "target_date",
    "provisional",
    "paused",
    "status",
    "met_at",
]


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """The demo county and CASES generated cases, built once; rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = DemoContext(write=lambda _msg: None)
        build_orgs(ctx)
        build_staff(ctx)
        build_petitioners(ctx, 80)
        _ensure_discipline_staff(ctx)
        result = generate(CASES, write=lambda _msg: None, days=DAYS)
        assert result["created"] == CASES
        connection.check_constraints()  # every generated row points at rows that exist
        chosen = _choose(Case.objects.all())
        yield chosen
        transaction.set_rollback(True)


def _actions(case_id) -> tuple[str, ...]:
    return tuple(CaseEvent.objects.filter(case_id=case_id).order_by("at", "pk").values_list("action", flat=True))


def _choose(cases) -> dict[str, list[int]]:
    """Per state: cases that together took every action seen in that state, and a few more paths."""
    paths: dict[str, dict[tuple, int]] = defaultdict(dict)
    events = defaultdict(list)
    for case_id, action in CaseEvent.objects.order_by("case_id", "at", "pk").values_list("case_id", "action"):
        events[case_id].append(action)
    for case_id, status in cases.values_list("pk", "status"):
        paths[status].setdefault(tuple(events[case_id]), case_id)
    chosen = {}
    for status, by_path in paths.items():
        todo = {a for path in by_path for a in path}
        picked: list[tuple] = []
        while todo:  # greedy cover of the actions taken in this state
            best = max(by_path, key=lambda p: (len(todo & set(p)), -len(p)))
            picked.append(best)
            todo -= set(best)
        others = sorted(set(by_path) - set(picked), key=lambda p: (len(p), p))
        picked += others[:: max(1, len(others) // PER_STATE)][:PER_STATE]
        chosen[status] = [by_path[p] for p in picked]
    return chosen


# --- replaying a generated case through the real actions -------------------------------------------


def _org(name):
    return Org.objects.get(name=name)


def _after(text, sep="："):
    return text.split(sep, 1)[1]


def _item(case, event) -> int:
    """The replayed item that stands for the event's generated one: the same place in the case's items."""
    made = list(SupervisionItem.objects.filter(case_id=event.case_id).order_by("pk").values_list("pk", flat=True))
    mine = list(SupervisionItem.objects.filter(case=case).order_by("pk").values_list("pk", flat=True))
    return mine[made.index(event.data["item"])]


def _supervise(case, event):
    """督办 on the case page, by the event's actor, with the inputs it records."""
    a, d, who = event.action, event.data, event.actor
    item = _item(case, event)
    if a == T.SUPERVISION_REPORT:
        return SA.do_report_supervision(case, item, actor=who, kind=d["kind"], text=_after(event.note))
    if a == T.SUPERVISION_CONTINUE:
        due_on = date.fromisoformat(d["due_on"])
        return SA.do_continue_supervision(case, item, actor=who, due_on=due_on, note=d["note"])
    if a == T.SUPERVISION_CONCLUDE:
        return SA.do_conclude_supervision(case, item, actor=who, outcome=_after(event.note))
    raise AssertionError(f"no replay for {a}")


def _step(case, event, previous, steps, deliveries):
    """Take the action ``event`` records, with its inputs, as its actor."""
    a, d, note = event.action, event.data, event.note
    who = event.actor
    if a in T.values:
        return _supervise(case, event)
    if a in (Action.FORWARD, Action.ASSIGN):
        target = _org(d["to"])
        if a == Action.FORWARD:
            return A.do_forward(case, actor=who, to_org=target, note=note)
        return A.do_assign(case, actor=who, lead_org=target, co_orgs=[_org(n) for n in d["co"]], note=note)
    simple = {
        Action.SIGN_FOR: lambda: A.do_sign_for(case, actor=who, note=note),
        Action.RETURN: lambda: A.do_return(case, actor=who, reason=note.removesuffix("（已超过5个工作日异议期限）")),
        Action.DECLINE: lambda: A.do_decline(case, actor=who, reason=note),
        Action.CO_REPORT: lambda: A.do_co_report(case, actor=who, report=note),
        Action.APPROVE_EXTENSION: lambda: A.do_approve_extension(case, actor=who, note=note),
        Action.START_HEARING: lambda: A.do_start_hearing(case, actor=who, day=date.fromisoformat(d["on"])),
        Action.END_HEARING: lambda: A.do_end_hearing(case, actor=who, day=date.fromisoformat(d["on"])),
        Action.DRAFT_REPLY: lambda: A.do_draft_reply(case, actor=who, **d),
        Action.EVALUATE: lambda: A.do_evaluate(case, actor=who, evaluation=d["evaluation"], source=d["source"]),
        Action.REPORT_BACK: lambda: A.do_report_back(case, actor=who, note=note),
        Action.CONFIRM_CLOSURE: lambda: A.do_confirm_closure(case, actor=who, note=note),
        Action.CLOSE: lambda: A.do_close(case, actor=who, note=note),
        Action.SEND_BACK: lambda: A.do_send_back(case, actor=who, reason=note),
        Action.REVIEW: lambda: A.do_review(case, actor=who, decision=d["decision"], reasons=_after(note)),
        Action.REEXAMINE: lambda: A.do_reexamine(case, actor=who, decision=d["decision"], reasons=_after(note)),
    }
    if a in simple:
        return simple[a]()
    if a == Action.MERGE_AS_REPEAT:
        return A.do_merge_as_repeat(case, actor=who, original=Case.objects.get(number=d["original"]), note=note)
    if a == Action.ACCEPT:
        generated = Case.objects.get(pk=event.case_id)
        return A.do_accept(case, actor=who, handler=generated.handler if d["handler"] else None, note=note)
    if a == Action.REDIRECT:
        channel = Case.objects.get(pk=event.case_id).redirect_channel
        label = RedirectChannel(channel).label
        return A.do_redirect(case, actor=who, channel=channel, note=note.removeprefix(f"导入{label}途径。"))
    if a == Action.RECORD_STEP:
        s = next(steps)
        return A.do_record_step(case, actor=who, kind=s.kind, happened_on=s.happened_on, description=s.description)
    if a == Action.REQUEST_EXTENSION:
        days, reason = re.fullmatch(r"申请延期(\d+)日：(.*)", note, re.S).groups()
        return A.do_request_extension(case, actor=who, days=int(days), reason=reason)
    if a == Action.REPLY:
        if previous == Action.DRAFT_REPLY:
            return A.do_reply(case, actor=who)  # signs the stored draft
        return A.do_reply(case, actor=who, **d)
    if a == Action.RECORD_DELIVERY:
        x = next(deliveries)
        return A.do_record_delivery(
            case, actor=who, notice=x.notice, method=x.method, delivered_at=x.delivered_at, recipient=x.recipient
        )
    if a == Action.REQUEST_REVIEW:
        return A.do_request_review(case, actor=who, received_on=date.fromisoformat(d["received_on"]))
    if a == Action.REQUEST_REEXAM:
        return A.do_request_reexam(case, actor=who, received_on=date.fromisoformat(d["received_on"]))
    raise AssertionError(f"no replay for {a}")


def replay(generated: Case) -> Case:
    events = list(generated.events.select_related("actor").order_by("at", "pk"))
    steps = iter(HandlingStep.objects.filter(case=generated).order_by("pk"))
    deliveries = iter(Delivery.objects.filter(case=generated).order_by("pk"))
    petitioners = [
        (link.petitioner, link.is_representative)
        for link in generated.case_petitioners.select_related("petitioner").order_by("pk")
    ]
    reg = A.Registration(
        channel=generated.channel,
        received_at=generated.received_at,
        kind=generated.kind,
        summary=generated.summary,
        content=generated.content,
        petitioners=petitioners,
        person_count=generated.person_count,
        category=generated.category,
        urgency=generated.urgency,
        importance=generated.importance,
        place_code=generated.place_code,
        place_name=generated.place_name,
        referring_org=generated.referring_org,
        referring_ref=generated.referring_ref,
        leader_instruction=generated.leader_instruction,
        accused_name=generated.accused_name,
        accused_org=generated.accused_org,
    )
    assert events[0].action == Action.REGISTER
    with travel(events[0].at):
        case = A.do_register(reg, actor=events[0].actor)
    # The supervision consumer reads the registration (its listing rules) when the outbox is drained,
    # minutes later: at the generated listing's time, or at once (and then it must list nothing).
    listed = events[1].at if len(events) > 1 and events[1].action == T.SUPERVISION_OPEN else events[0].at
    with travel(listed):
        listing.apply_listing(case.pk)
    previous = Action.REGISTER
    for event in events[1:]:
        if event.action == T.SUPERVISION_OPEN:
            assert event.actor_kind == "system" and event.actor_name == listing.SYSTEM, event.actor_name
            continue  # opened above, as the consumer opens it
        if event.action == Action.FINALIZE:
            assert event.actor_kind == "system" and event.actor_name == LAPSE_SWEEP.name and event.actor is None
            with travel(event.at - timedelta(days=1)):
                finalize_lapsed()
            case.refresh_from_db()
            assert case.status != Status.FINAL, f"{generated.number}: the sweep would have finalised a day earlier"
            with travel(event.at):
                finalize_lapsed()
        else:
            with travel(event.at):
                _step(case, event, previous, steps, deliveries)
        case.refresh_from_db()
        if event.action in Action.values:
            with travel(event.at):  # the consumer: open items follow the unit holding the case
                follow_holder(case)
        previous = event.action
    # The daily `clock recompute`: a clock paused by a hearing grows while the hearing lasts.
    recompute_deadlines(Deadline.objects.filter(owner_type=ContentType.objects.get_for_model(Case), owner_id=case.pk))
    case.refresh_from_db()
    return case


# --- the shape of a case --------------------------------------------------------------------------


ITEM_FIELDS = [
    "kind",
    "status",
    "reason",
    "due_on",
    "report_every_days",
    "next_report_on",
    "listing_rule_id",
    "owed_by_org_id",
    "issued_org_id",
    "issued_by_id",
    "escalated_from_id",
    "version",
    "opened_at",
    "closed_at",
    "outcome",
]


def _numbered(data: dict, items: dict, reports: dict) -> dict:
    """An event's data with its item and report ids as their places in the case's (ids differ in a replay)."""
    out = dict(data)
    if "item" in out:
        out["item"] = items[out["item"]]
    if "report" in out:
        out["report"] = reports[out["report"]]
    return out


def shape(case: Case) -> dict:
    events = list(case.events.order_by("at", "pk"))
    index = {e.pk: i for i, e in enumerate(events)}
    ct = ContentType.objects.get_for_model(Case)
    items = SupervisionItem.objects.filter(case=case).order_by("pk")
    item_index = {pk: i for i, pk in enumerate(items.values_list("pk", flat=True))}
    reports = SupervisionReport.objects.filter(item__case=case).order_by("pk")
    report_index = {pk: i for i, pk in enumerate(reports.values_list("pk", flat=True))}
    return {
        "case": {f: getattr(case, f) for f in CASE_FIELDS},
        "petitioners": list(case.case_petitioners.order_by("pk").values_list("petitioner_id", "is_representative")),
        "participants": sorted(case.participants.values_list("org_id", "role", "added_at", "reported_at", "report")),
        "events": [
            (
                e.action,
                e.actor_kind,
                e.actor_id,
                e.actor_org_id,
                e.actor_name,
                e.actor_petitioner_id,
                e.seq,
                e.at,
                e.from_status,
                e.to_status,
                e.note,
                e.notice,
                e.document.replace(case.number, "<编号>"),
                _numbered(e.data, item_index, report_index),
            )
            for e in events
        ],
        "supervision": list(items.values_list(*ITEM_FIELDS)),
        "reports": [
            (item_index[r.item_id], r.kind, r.text, r.by_id, r.org_id, r.at)
            for r in reports.only("item_id", "kind", "text", "by_id", "org_id", "at")
        ],
        "deadlines": list(
            Deadline.objects.filter(owner_type=ct, owner_id=case.pk).order_by("pk").values_list(*DEADLINE_FIELDS)
        ),
        "deliveries": [
            (d.notice, index[d.event_id], d.method, d.delivered_at, d.recipient, d.recorded_by_id, d.recorded_at)
            for d in Delivery.objects.filter(case=case).order_by("pk")
        ],
        "steps": list(
            HandlingStep.objects.filter(case=case)
            .order_by("pk")
            .values_list("kind", "happened_on", "description", "recorded_by_id", "recorded_at")
        ),
    }


def _diff(made, real) -> list[str]:
    out = []
    for part in made:
        if made[part] == real[part]:
            continue
        if part == "case":
            out += [
                f"case.{k}: generated {made[part][k]!r}, actions {real[part][k]!r}"
                for k in made[part]
                if made[part][k] != real[part][k]
            ]
            continue
        a, b = made[part], real[part]
        if len(a) != len(b):
            out.append(f"{part}: generated {len(a)} rows, actions {len(b)}")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            if x != y:
                out.append(f"{part}[{i}]: generated {x!r}\n{' ' * (len(part) + 4)}actions   {y!r}")
                break
    return out


def test_every_state_the_generator_reaches_is_replayed(generated):
    states = set(generated)
    assert states >= set(Status.values) - NOT_GENERATED, f"not generated: {set(Status.values) - NOT_GENERATED - states}"
    # The branches of the plan all occur among the replayed cases.
    taken = Counter(a for ids in generated.values() for pk in ids for a in set(_actions(pk)))
    wanted = set(Action.values) - {Action.ADD_ATTACHMENT, Action.ASSIGN_HANDLER, Action.REJECT_EXTENSION}
    # 挂牌督办 by the listing rules, followed to its end (scale_supervision), is generated too.
    listed = {T.SUPERVISION_OPEN, T.SUPERVISION_REPORT, T.SUPERVISION_CONTINUE, T.SUPERVISION_CONCLUDE}
    assert listed <= _generated_actions()
    wanted -= {a for a in wanted if a not in _generated_actions()}
    wanted |= listed
    assert not wanted - set(taken), f"never replayed: {wanted - set(taken)}"


def test_every_generated_history_is_sealed_as_the_actions_seal_it(generated):
    """Each case's events form the hash chain events.record builds (verify_history checks it)."""
    by_case = defaultdict(list)
    for event in CaseEvent.objects.all():
        by_case[event.case_id].append(event)
    versions = dict(Case.objects.values_list("pk", "version"))
    assert len(by_case) == len(versions)
    broken = {pk: str(b) for pk, evs in by_case.items() if (b := chain_break(evs, version=versions[pk]))}
    assert not broken, broken


def _generated_actions() -> set[str]:
    return set(CaseEvent.objects.values_list("action", flat=True).distinct())


@pytest.mark.parametrize("status", [s for s in Status.values if s not in NOT_GENERATED])
def test_a_generated_case_has_the_shape_the_actions_give_it(generated, status):
    assert generated.get(status), f"no generated case is {status}"
    problems = []
    for pk in generated[status]:
        made = Case.objects.get(pk=pk)
        try:
            real = replay(made)
        except Exception as exc:  # noqa: BLE001 — report which step the actions refused
            problems.append(f"{made.number} {_actions(pk)}: replay failed: {type(exc).__name__}: {exc}")
            continue
        diff = _diff(shape(made), shape(real))
        if diff:
            problems.append(f"{made.number} {_actions(pk)}:\n  " + "\n  ".join(diff))
    assert not problems, f"{Status(status).label}（{status}）:\n" + "\n".join(problems)


def test_the_comparison_sees_an_action_that_writes_one_more_event(generated, monkeypatch):
    """If 办结 started writing a second event, the closed cases would no longer match."""
    from xinfang.cases import events

    real_close = A.do_close

    def close_twice(case, **kwargs):
        case = real_close(case, **kwargs)
        events.record(case, Action.RECORD_STEP, actor=kwargs["actor"], note="多写的一条")
        return case

    monkeypatch.setattr(A, "do_close", close_twice)
    pk = next(pk for pk in generated[Status.CLOSED] if Action.CLOSE in _actions(pk))
    made = Case.objects.get(pk=pk)
    diff = _diff(shape(made), shape(replay(made)))
    assert any(line.startswith("events: generated") for line in diff), diff


def test_the_comparison_sees_a_listing_the_rules_would_open_differently(generated):
    """If the listing rules gave a day more, a generated listed case would no longer match its replay."""
    from django.db.models import F

    from xinfang.supervision.models import ListingRule

    listed = {pk for ids in generated.values() for pk in ids if T.SUPERVISION_OPEN in _actions(pk)}
    made = Case.objects.get(pk=min(listed))
    assert _diff(shape(made), shape(replay(made))) == []
    ListingRule.objects.update(due_days=F("due_days") + 1)
    diff = _diff(shape(made), shape(replay(made)))
    assert any(line.startswith("supervision[0]: generated") for line in diff), diff
