import re

import pytest

from xinfang.cases.spec import specs

pytestmark = pytest.mark.django_db


def test_the_openapi_document_lists_every_action(cast, login):
    response = login(cast.registrar).get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert "post" in paths["/api/v1/cases"] and "get" in paths["/api/v1/cases"]
    assert "get" in paths["/api/v1/cases/{case_id}"]
    for sub in ("events", "deadlines"):
        assert "get" in paths[f"/api/v1/cases/{{case_id}}/{sub}"]
    for spec in specs():
        op = paths[f"/api/v1/cases/{{case_id}}/{spec.api_path}"]["post"]
        assert op["operationId"] == f"case_{spec.action}"
        assert re.search(r"[\u4e00-\u9fff]", op["summary"])
        assert {"200", "401", "403", "404", "409", "422"} <= set(op["responses"])
    assert {"get", "post"} <= set(paths["/api/v1/petitioners"])
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_the_docs_page_loads_nothing_from_other_origins(cast, login):
    client = login(cast.registrar)
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower() and "http://" not in html and "https://" not in html
    assert "<script>" not in html  # no inline script: the CSP forbids it
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) == 4
    for url in assets:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert b"".join(asset.streaming_content)
    assert client.get("/api/v1/docs/assets/../settings.py").status_code == 404
    assert client.get("/api/v1/docs/assets/redoc.standalone.js").status_code == 404


def test_api_urls_answer_401_not_a_login_redirect(client):
    for url in ("/api/v1/cases", "/api/v1/cases/1", "/api/v1/petitioners"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json()["code"] == "unauthenticated"
