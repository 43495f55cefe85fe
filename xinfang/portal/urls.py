"""The portal's routes (mounted by site.PortalURLConf at the portal's host root or prefix, never by the staff site)."""

from django.urls import include, path

from xinfang.portal import captcha, views, views_guide, views_submit, views_track, views_track_id

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("api/portal/v1/", include("xinfang.portal.api")),
    path("captcha.png", captcha.image, name="captcha"),
    path("guide/", views_guide.index, name="guide"),
    path("guide/reception/", views_guide.reception, name="guide_reception"),
    path("guide/<slug:topic>/", views_guide.topic, name="guide_topic"),
    path("write/", views_submit.write, name="write"),
    path("write/confirm/", views_submit.confirm, name="write_confirm"),
    path("write/done/", views_submit.done, name="write_done"),
    path("track/", views_track.sign_in, name="track"),
    path("track/case/", views_track.view, name="track_view"),
    path("track/by-id/", views_track_id.by_identity, name="track_by_identity"),
    path("track/mine/", views_track_id.mine, name="track_mine"),
    path("track/sign-out/", views_track.sign_out, name="track_sign_out"),
    path("track/notice/<int:pk>.pdf", views_track.notice_pdf, name="track_notice_pdf"),
    path("track/confirm/", views_track.confirm, name="track_confirm"),
    path("track/materials/", views_track.materials, name="track_materials"),
    path("track/evaluate/", views_track.evaluate, name="track_evaluate"),
    path("track/ask/<slug:what>/", views_track.ask, name="track_ask"),
]
