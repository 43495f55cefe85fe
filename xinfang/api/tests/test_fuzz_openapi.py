"""Schemathesis against the API's own OpenAPI document: no 5xx, nothing outside it.

Every operation of /api/v1/openapi.json is called with generated requests, valid
and invalid (schemathesis' coverage phase: each limit, one past each limit, wrong
types, missing fields, unexpected methods; then its fuzzing phase), as the county
bureau's petition officer and as its statistician, against a database with the
cast, petitioners and cases in several states. Each response must be no server
error, have a documented status, content type and body, and a request that breaks
the document must be refused.

It runs inside the suite, so that it runs on SQLite and on PostgreSQL in the two
passes of `make test`, with pytest-django's database per test and the fixed cast,
spread over the xdist workers one operation at a time, and a failure is a test
failure like any other (`-k "POST /api/v1/cases]"` reruns one operation). It needs
no network: requests go to the WSGI application in the test's own process.

Examples are bounded and deterministic (the same requests every run, no example
database), so the run costs the same each time and a failure is reproducible.
"""

import json
import zlib

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils.functional import Promise
from hypothesis import HealthCheck, settings

from xinfang.api.api import api
from xinfang.devdata.flow import Flow, make_petitioner

pytestmark = pytest.mark.django_db

ROLES = ("officer", "statistician")
# Per operation: the coverage phase's requests (all of them) and at most this many more.
FUZZ_EXAMPLES = 5


class _Encoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Promise):
            # Descriptions computed from the rules in force need the database; only the
            # descriptions are lazy, so the document's shapes and limits are the served ones
            # (test_the_served_document_is_the_one_fuzzed checks that).
            return ""
        return super().default(o)


def document() -> dict:
    return json.loads(json.dumps(api.get_openapi_schema(), cls=_Encoder))


schema = schemathesis.openapi.from_dict(
    document(),
    config=schemathesis.config.SchemathesisConfig.from_dict(
        {
            "generation": {
                "max-examples": FUZZ_EXAMPLES,
                "mode": "all",
                "deterministic": True,
                "database": "none",
                # Unknown query parameters are ignored (as by most web APIs), so they are no negative case.
                "allow-extra-parameters": False,
            },
            "phases": {
                "stateful": {"enabled": False},
                # Each path answers 405 to a method it does not have: two methods show it, not all eight.
                "coverage": {"unexpected-methods": ["GET", "POST", "DELETE"]},
            },
            # A request the document allows may still be refused by the rules (an org that does
            # not exist, a case in another state): 422 invalid and 409 are answers, not failures.
            "checks": {"positive_data_acceptance": {"enabled": False}},
        }
    ),
)
schema.app = WSGIHandler()


class World:
    """What generated ids are pointed at: small ids name these rows (1 → the first case, ...)."""

    def __init__(self, cast, token_for):
        flow = Flow(cast)
        # One the officer routes, one closed (review, closure, every read): the statistician reads both.
        self.cases = [flow.register(), flow.closed()]
        self.petitioners = [make_petitioner(cast.registrar, name="李四"), make_petitioner(cast.officer, name="王五")]
        self.tokens = {role: token_for(getattr(cast, role)) for role in ROLES}

    def point(self, case) -> str:
        """Point small generated ids at real rows; return the role this request is sent as."""
        params = case.path_parameters or {}
        if isinstance(params.get("case_id"), int) and 1 <= params["case_id"] <= len(self.cases):
            params["case_id"] = self.cases[params["case_id"] - 1].pk
        body = case.body if isinstance(case.body, dict) else {}
        for link in body.get("petitioners") or []:
            if isinstance(link, dict) and isinstance(link.get("id"), int) and 1 <= link["id"] <= len(self.petitioners):
                link["id"] = self.petitioners[link["id"] - 1].pk
        # The role follows from the request itself, so that hypothesis replays a failure exactly.
        seed = repr((case.operation.label, params, case.query, case.body)).encode()
        return ROLES[zlib.crc32(seed) % len(ROLES)]


@pytest.fixture
def world(cast, token_for):
    # The test client does this for its own requests: a request's end must not close the
    # connection that holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield World(cast, token_for)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), print_blob=False)
def test_api_conforms_to_its_document(case, world):
    role = world.point(case)
    if case.operation.schema.is_security_param_negated(case):
        headers = {}  # a request without the token (or with a broken one), on purpose: 401
    else:
        headers = {"Authorization": f"Bearer {world.tokens[role]}"}
    case.call_and_validate(headers=headers)


def test_the_served_document_is_the_one_fuzzed(login, cast):
    def shapes(doc):
        text = json.dumps(doc, ensure_ascii=False)
        # Drop the descriptions, the only part computed when the document is served.
        return json.loads(text, object_hook=lambda d: {k: v for k, v in d.items() if k != "description"})

    served = login(cast.statistician).get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert shapes(served.json()) == shapes(document())
