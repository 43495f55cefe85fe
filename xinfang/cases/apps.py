from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "xinfang.cases"
    verbose_name = "信访件"

    def ready(self):
        from django.db.models import Q

        from xinfang.cases import deadlines  # noqa: F401  (signal receivers)
        from xinfang.petitioners.access import EXTRA_SCOPE_BUILDERS

        def petitioners_on_visible_cases(user):
            # Staff who may see a case may see the petitioners on it.
            from xinfang.cases.access import scoped_cases
            from xinfang.cases.models import CasePetitioner

            visible = scoped_cases(user).values("pk")
            return Q(pk__in=CasePetitioner.objects.filter(case__in=visible).values("petitioner_id"))

        if petitioners_on_visible_cases.__qualname__ not in {b.__qualname__ for b in EXTRA_SCOPE_BUILDERS}:
            EXTRA_SCOPE_BUILDERS.append(petitioners_on_visible_cases)
