"""Computed once per request: the signed-in user's memberships (and what is derived from them).

A staff page asks "which memberships, which roles, whose cases" many times: the timezone
middleware, ``staff_required``, the case scope, every permission check, the context processor's
links. Inside ``once_per_request()`` — the whole request, ``netra.middleware.OncePerRequestMiddleware``
— each answer is computed once and kept until the request ends; outside it (services, jobs,
tests that change memberships between calls) it is computed every time.

Kept answers are dropped as soon as a membership, an agency (or its covered regions) or a user
is saved or deleted in the same request (``forget``, connected in ``OrgsConfig.ready``), so a
view that changes who may do what reads the change afterwards, as before.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
_memo: ContextVar[dict | None] = ContextVar("netra_per_request_memo", default=None)


@contextlib.contextmanager
def once_per_request() -> Iterator[None]:
    """Keep what ``memo`` computes inside the block until it ends (one request)."""
    if _memo.get() is not None:  # already inside one: the outer block keeps its results
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def per_request(view):
    """A view decorator: ``once_per_request`` around the whole view (its template included)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with once_per_request():
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    return wrapper


def memo(actor, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept for the request when inside ``once_per_request`` (per actor and key)."""
    cache = _memo.get()
    if cache is None or actor is None:
        return compute()
    slot = (key, type(actor).__name__, getattr(actor, "pk", None) or id(actor))
    if slot not in cache:
        cache[slot] = compute()
    return cache[slot]


def forget(**_kwargs: Any) -> None:
    """Drop everything kept for the current request (a signal receiver: who may do what changed)."""
    cache = _memo.get()
    if cache:
        cache.clear()


def _usable(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def active_memberships(user) -> list[Any]:
    """The user's active memberships (in any agency, active or not), with agency and region, by pk.

    Each also says whether its agency has agencies below it (``agency_has_children``), so that a
    scope reaching "the agency and those below it" asks for them only when there are some."""
    from django.db.models import Exists, OuterRef

    from netra.orgs.models import Agency, Membership, User

    if not isinstance(user, User) or not _usable(user):
        return []
    return memo(
        user,
        "active_memberships",
        lambda: list(
            Membership.objects.filter(user=user, active=True)
            .select_related("agency", "agency__region")
            .annotate(agency_has_children=Exists(Agency.objects.filter(parent_id=OuterRef("agency_id"))))
            .order_by("pk")
        ),
    )


def live_memberships(user) -> list[Any]:
    """The user's live memberships: active, in an active agency (what gives a right)."""
    return [m for m in active_memberships(user) if m.agency.active]


def active_roles(user) -> set[str]:
    """The role codes of the user's active memberships (the menu's links, ``netra.context_processors``)."""
    return {m.role for m in active_memberships(user)}
