from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "xinfang.cases"
    verbose_name = "信访件"

    def ready(self):
        from django.db.models import Q

        from xinfang.cases import (
            deadlines,  # noqa: F401  (signal receivers)
            jobs,  # noqa: F401  (periodic jobs, xinfang.background)
        )
        from xinfang.petitioners.access import EXTRA_SCOPE_BUILDERS

        def petitioners_on_visible_cases(user):
            # Staff who may see a case may see the petitioners on it. Correlated
            # from the petitioner side, so a look-up of a few petitioners does
            # not evaluate the user's whole case list.
            from django.db.models import Exists, OuterRef

            from xinfang.cases.access import visibility
            from xinfang.cases.models import CasePetitioner

            rules = visibility(user, prefix="case__", outer_case="case_id")
            if rules is None:
                return Q(pk__in=[])
            include, exclude = rules
            links = CasePetitioner.objects.filter(petitioner=OuterRef("pk"))
            if include is not None:
                links = links.filter(include)
            return Exists(links.exclude(exclude))

        if petitioners_on_visible_cases.__qualname__ not in {b.__qualname__ for b in EXTRA_SCOPE_BUILDERS}:
            EXTRA_SCOPE_BUILDERS.append(petitioners_on_visible_cases)
