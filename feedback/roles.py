"""Staff roles: the Advocates and Organizers groups, their permissions, and the names `createstaff` uses."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

ADVOCATES = "Advocates"
ORGANIZERS = "Organizers"

# createstaff --role value -> group name.
ROLE_GROUPS = {"advocate": ADVOCATES, "organizer": ORGANIZERS}

GROUP_PERMISSIONS = {
    ADVOCATES: [
        "view_concern",
        "add_concern",
        "change_concern",
        "view_moderationevent",
        "view_dashboard",
        "view_consultation",
        "view_topic",
        "change_topic",
        "view_remedy",
        "change_remedy",
        "view_stakeholder",
        "change_stakeholder",
        "view_theme",
        "change_theme",
    ],
    ORGANIZERS: [
        "view_concern",
        "view_endorsement",
        "view_moderationevent",
        "view_dashboard",
        "add_exportjob",
        "view_exportjob",
        "view_tallysnapshot",
        "view_consultation",
        "view_topic",
        "view_remedy",
        "view_stakeholder",
        "view_theme",
        "change_theme",
        # Defensible numbers (README): participation codes, certificates, excluded bursts.
        "issue_codes",
        "view_codebatch",
        "certify_tallies",
        "view_certificate",
        "view_burstexclusion",
    ],
}

# Who sees residents' contact emails in the admin (superusers always do).
VIEW_CONTACT_PERMISSION = "feedback.view_contact"
VIEW_DASHBOARD_PERMISSION = "feedback.view_dashboard"
ISSUE_CODES_PERMISSION = "feedback.issue_codes"
# Certify tallies, download certificates, exclude unusual bursts from them.
CERTIFY_PERMISSION = "feedback.certify_tallies"


def ensure_role_groups(using: str = "default") -> None:
    """Create the role groups if missing and give them at least their permissions.

    Runs after every `migrate` (and after the test runner's flush, which empties the groups the
    0002 migration made). Only ever adds: a permission granted to a group by hand is kept.
    """
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        permissions = Permission.objects.using(using).filter(content_type__app_label="feedback", codename__in=codenames)
        group.permissions.add(*permissions)


class RoleGroupMissing(Exception):
    """The role's group does not exist yet (migrations have not run)."""


def save_staff_account(*, user, role: str) -> None:
    """Save `user` as active staff holding exactly one role: its group added, the other role groups removed.

    Atomic. Raises RoleGroupMissing (nothing saved) when the role's group is missing, KeyError for an
    unknown role. The caller has validated the account and set its password.
    """
    group = Group.objects.filter(name=ROLE_GROUPS[role]).first()
    if group is None:
        raise RoleGroupMissing(ROLE_GROUPS[role])
    other_role_groups = Group.objects.filter(name__in=ROLE_GROUPS.values()).exclude(pk=group.pk)
    user.is_staff = True
    user.is_active = True
    with transaction.atomic():
        user.save()
        user.groups.remove(*other_role_groups)
        user.groups.add(group)
