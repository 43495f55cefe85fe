"""Who acts: a staff member, a petitioner, the system, or another system.

Every action takes an ``actor`` and every case event records which kind it
was. Staff act through their org and roles. The other kinds hold no staff
role, so a role rule refuses them unless an action says otherwise:

* ``system``: the project's own scheduled work (the lapse sweep, later the
  escalation sweep). It reads through the access layer like everyone else,
  with a scope of everything, and may only take the actions that declare it.
* ``petitioner``: a petitioner acting for themselves (the public portal);
  they see only the cases they petitioned in.
* ``integration``: another system calling the API with an integration token
  (a 12345 hotline, the province's platform). It acts through a technical
  staff account, whose org and roles it has, and events name the system.

Staff users may be passed where an actor is expected; ``as_actor`` wraps
them, so views and tests can keep passing ``request.user``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from xinfang.orgs.models import Org, User


class ActorKind(models.TextChoices):
    STAFF = "staff", "工作人员"
    PETITIONER = "petitioner", "信访人"
    SYSTEM = "system", "系统"
    INTEGRATION = "integration", "外部系统"


@dataclass(frozen=True, eq=False)
class Actor:
    kind: str
    user: User | None = None
    petitioner_id: int | None = None
    name: str = ""

    # --- constructors ---------------------------------------------------------

    @classmethod
    def staff(cls, user: User) -> Actor:
        return cls(ActorKind.STAFF, user=user)

    @classmethod
    def system(cls, name: str) -> Actor:
        """The project's own scheduled work; ``name`` says which (e.g. 期限届满自动终结)."""
        return cls(ActorKind.SYSTEM, name=name)

    @classmethod
    def petitioner(cls, petitioner: Any) -> Actor:
        return cls(ActorKind.PETITIONER, petitioner_id=petitioner.pk, name=petitioner.name)

    @classmethod
    def integration(cls, user: User, name: str) -> Actor:
        """Another system acting through the technical staff account ``user``."""
        return cls(ActorKind.INTEGRATION, user=user, name=name)

    # --- what rules and the access layer ask ------------------------------------

    @property
    def is_staff_member(self) -> bool:
        """Acts with a staff account's org and roles (staff or integration)."""
        return self.kind in (ActorKind.STAFF, ActorKind.INTEGRATION) and self.user is not None

    def _account(self) -> User:
        """The staff account a staff or integration actor acts with (their constructors take one)."""
        if self.user is None:
            raise ValueError(f"a {self.kind} actor without a staff account")
        return self.user

    @property
    def is_system(self) -> bool:
        return self.kind == ActorKind.SYSTEM

    @property
    def is_petitioner(self) -> bool:
        return self.kind == ActorKind.PETITIONER

    @property
    def org(self) -> Org | None:
        return self._account().org if self.is_staff_member else None

    @property
    def org_id(self) -> int | None:
        return self._account().org_id if self.is_staff_member else None

    @property
    def pk(self) -> int | None:
        """The staff account's id (None for the system and petitioners)."""
        return self._account().pk if self.is_staff_member else None

    @property
    def is_active(self) -> bool:
        return self._account().is_active if self.is_staff_member else True

    def has_role(self, *roles: str) -> bool:
        return self.is_staff_member and self._account().has_role(*roles)

    def role_set(self) -> frozenset[str]:
        return self._account().role_set() if self.is_staff_member else frozenset()

    @property
    def display_name(self) -> str:
        if self.kind == ActorKind.STAFF:
            return self._account().display_name
        if self.kind == ActorKind.INTEGRATION:
            return f"{self.name}（{self._account().display_name}）"
        if self.kind == ActorKind.SYSTEM:
            return f"系统（{self.name}）" if self.name else "系统"
        return f"信访人{self.name}"

    def __repr__(self) -> str:
        return f"<Actor {self.kind} {self.display_name}>"


def as_actor(who: Actor | User) -> Actor:
    """The actor for ``who``: an Actor as it is, a staff user wrapped."""
    if isinstance(who, Actor):
        return who
    if who is None:
        raise TypeError("an action needs an actor: a staff user, or Actor.system(...) for scheduled work")
    return Actor.staff(who)


def user_of(who: Actor | User | None) -> User | None:
    """The staff account behind ``who`` (None for the system and petitioners)."""
    if isinstance(who, Actor):
        return who.user if who.is_staff_member else None
    return who
