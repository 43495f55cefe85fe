"""Repository rules that keep the design true as the code grows (DESIGN.md §6, docs/architecture.md).

* Views, the API, forms and template tags read through the access layer: no
  ``Case.objects`` / ``Petitioner.objects`` and no ``.objects.get(`` there.
* Only the actions write a case: ``case.save(`` appears in ``cases/actions/`` only.
* Only ``cases/events.py`` creates case events (it also fills the outbox).
* "Now" comes from ``core.clock``: no ``timezone.now()`` / ``localdate()`` in domain code.

The layers themselves are checked by import-linter (``make lint``).
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _sources(*patterns, exclude=("tests", "migrations")):
    for pattern in patterns:
        for path in sorted(ROOT.glob(pattern)):
            parts = set(path.relative_to(ROOT).parts)
            if parts & set(exclude):
                continue
            yield path


def _offences(paths, regex):
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if re.search(regex, code) and not code.lstrip().startswith(('"', "'")):
                found.append(f"{path.relative_to(ROOT.parent)}:{number}: {line.strip()}")
    return found


READ_SURFACES = ["**/views*.py", "api/*.py", "**/forms*.py", "**/templatetags/*.py", "**/action_forms.py"]


def test_views_the_api_forms_and_tags_read_through_the_access_layer():
    regex = r"(?<!`)\b(Case|Petitioner)\.objects\b|\.objects\.get\("
    assert _offences(_sources(*READ_SURFACES), regex) == []


def test_only_the_actions_save_a_case():
    paths = [p for p in _sources("**/*.py") if "actions" not in p.parts and "devdata" not in p.parts]
    assert _offences(paths, r"\bcase\.save\(") == []


def test_only_the_event_function_writes_case_events():
    paths = [p for p in _sources("**/*.py") if p.name != "events.py" and "devdata" not in p.parts]
    assert _offences(paths, r"(?<!`)CaseEvent\.objects\.(create|bulk_create)|(?<!class )\bCaseEvent\(") == []


@pytest.mark.parametrize("app", ["cases", "clock", "petitioners", "api", "shell"])
def test_domain_code_asks_the_clock_seam_for_now(app):
    paths = [p for p in _sources(f"{app}/**/*.py") if "management" not in p.parts]
    regex = r"timezone\.now\(\)|timezone\.localdate\(\)|timezone\.localtime\(\)|datetime\.now\(|date\.today\("
    # Security records keep real time: ApiToken timestamps, the look-up rate limit over the audit log.
    allowed = {"models.py", "lookups.py"}
    assert [o for o in _offences(paths, regex) if Path(o.split(":")[0]).name not in allowed] == []


def test_the_rules_are_found_by_the_checks():
    # The checks above must be able to fail: each regex matches the thing it forbids.
    assert re.search(r"\b(Case|Petitioner)\.objects\b", "x = Case.objects.filter(pk=1)")
    assert re.search(r"\bcase\.save\(", "    case.save()")
    assert re.search(r"CaseEvent\.objects\.(create|bulk_create)", "CaseEvent.objects.create(")
