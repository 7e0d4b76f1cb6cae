"""Staff roles: the groups the `0002_staff_groups` migration creates, by the name `createstaff` uses."""

from __future__ import annotations

ADVOCATES = "Advocates"
ORGANIZERS = "Organizers"

# createstaff --role value -> group name.
ROLE_GROUPS = {"advocate": ADVOCATES, "organizer": ORGANIZERS}

# Who sees residents' contact emails in the admin (superusers always do).
VIEW_CONTACT_PERMISSION = "feedback.view_contact"
VIEW_DASHBOARD_PERMISSION = "feedback.view_dashboard"
