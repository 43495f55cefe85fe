"""A petitioner's cases (/cases/by-petitioner/<id>/), as far as the viewer may see them."""

from datetime import timedelta

from xinfang.cases.models import CasePetitioner
from xinfang.cases.tests.test_views import html
from xinfang.core import clock
from xinfang.devdata.cast import make_user
from xinfang.devdata.flow import Flow, make_petitioner, register
from xinfang.orgs.models import Role
from xinfang.petitioners.services import register_or_reuse


def test_it_lists_the_petitioners_cases_newest_first_with_number_summary_status_date_and_link(cast, login):
    p = make_petitioner(cast.registrar, name="褚一")
    old = register(
        cast.registrar, petitioners=[(p, True)], summary="反映宅基地纠纷", received_at=clock.now() - timedelta(days=40)
    )
    new = register(cast.registrar, petitioners=[(p, True)], summary="反映拖欠工资")
    register(cast.registrar, summary="别人的信访件")
    response = login(cast.registrar).get(f"/cases/by-petitioner/{p.pk}/")
    assert response.status_code == 200
    page = html(response)
    assert "褚一的信访件" in page and "<html" in page
    rows = page[page.index("<tbody>") : page.index("</tbody>")]
    assert rows.index(new.number) < rows.index(old.number)
    for case in (old, new):
        assert f'<a href="/cases/{case.pk}/">{case.number}</a>' in rows
        assert clock.localtime(case.received_at).strftime("%Y-%m-%d") in rows
    assert "反映宅基地纠纷" in rows and "反映拖欠工资" in rows and "待交转办" in rows
    assert "别人的信访件" not in page
    assert "共 2 件（只列出您有权查看的信访件）" in page


def test_an_htmx_request_gets_the_fragment_for_the_petitioner_page(cast, login):
    p = make_petitioner(cast.registrar, name="卫二")
    case = register(cast.registrar, petitioners=[(p, True)])
    response = login(cast.registrar).get(f"/cases/by-petitioner/{p.pk}/", HTTP_HX_REQUEST="true")
    page = html(response)
    assert "<html" not in page and 'id="petitioner-cases"' in page and case.number in page
    assert "HX-Request" in response["Vary"]


def test_the_petitioner_page_loads_the_list_by_htmx_with_a_plain_link_without_js(cast, login):
    p = make_petitioner(cast.registrar, name="蒋三")
    page = html(login(cast.registrar).get(f"/petitioners/{p.pk}/"))
    assert f'hx-get="/cases/by-petitioner/{p.pk}/" hx-trigger="load" hx-swap="outerHTML"' in page
    assert f'<a href="/cases/by-petitioner/{p.pk}/">查看该信访人的信访件</a>' in page


def test_it_lists_only_the_cases_the_viewer_may_see(cast, login):
    township_registrar = make_user("township_registrar", cast.township, Role.REGISTRAR)
    p = make_petitioner(township_registrar, name="沈四")
    at_township = register(township_registrar, petitioners=[(p, True)], summary="向镇里反映")
    register_or_reuse(actor=cast.registrar, kind="person", name="沈四", id_number=p.decrypt_id_number())
    at_bureau = register(cast.registrar, petitioners=[(p, True)], summary="向县信访局反映")
    bureau_page = html(login(cast.registrar).get(f"/cases/by-petitioner/{p.pk}/"))
    assert at_bureau.number in bureau_page and at_township.number not in bureau_page
    assert "共 1 件" in bureau_page
    leader_page = html(login(cast.leader).get(f"/cases/by-petitioner/{p.pk}/"))  # the county's subtree
    assert at_bureau.number in leader_page and at_township.number in leader_page


def test_an_accusation_against_the_viewers_unit_is_not_listed(cast, login):
    p = make_petitioner(cast.registrar, name="韩五")
    claim = register(cast.registrar, petitioners=[(p, True)])
    accusation = register(cast.registrar, petitioners=[(p, True)], kind="accusation", accused_org=cast.dept)
    Flow(cast).assign(claim)  # the department's officer sees the petitioner through a case it handles
    page = html(login(cast.dept_officer).get(f"/cases/by-petitioner/{p.pk}/"))
    assert claim.number in page and accusation.number not in page


def test_the_other_county_and_a_missing_petitioner_get_404(cast, login):
    p = make_petitioner(cast.registrar, name="杨六")
    register(cast.registrar, petitioners=[(p, True)])
    for url in (f"/cases/by-petitioner/{p.pk}/", "/cases/by-petitioner/999999/"):
        assert login(cast.other_registrar).get(url).status_code == 404
        assert login(cast.other_registrar).get(url, HTTP_HX_REQUEST="true").status_code == 404


def test_it_pages_and_its_query_count_does_not_grow_with_rows(cast, login, django_assert_max_num_queries):
    p = make_petitioner(cast.registrar, name="朱七")
    cases = [register(cast.registrar, petitioners=[(p, True)]) for _ in range(3)]
    client = login(cast.registrar)
    client.get(f"/cases/by-petitioner/{p.pk}/")  # warm the session and the user
    with django_assert_max_num_queries(12):
        small = client.get(f"/cases/by-petitioner/{p.pk}/")
    for _ in range(22):
        cases.append(register(cast.registrar, petitioners=[(p, True)]))
    with django_assert_max_num_queries(12):
        first = html(client.get(f"/cases/by-petitioner/{p.pk}/"))
    assert small.status_code == 200
    assert "第 1 / 2 页" in first and f'href="/cases/by-petitioner/{p.pk}/?page=2"' in first
    second = html(client.get(f"/cases/by-petitioner/{p.pk}/?page=2"))
    assert cases[0].number in second and cases[-1].number not in second
    assert CasePetitioner.objects.filter(petitioner=p).count() == 25
