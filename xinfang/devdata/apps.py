from django.apps import AppConfig


class DevdataConfig(AppConfig):
    """Development data: the demo county, the scale generator and the test casts.

    Only this package imports across every app (it drives the real actions to
    make demo cases); the domain apps never import it, so it sits above them
    in the layers and can be left out of a deployment that needs no demo.
    """

    name = "xinfang.devdata"
    verbose_name = "演示与测试数据"
