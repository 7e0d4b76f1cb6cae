from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from feedback.roles import ADVOCATES, ORGANIZERS

pytestmark = pytest.mark.django_db

STRONG = "correct-horse-battery-staple-42"


def createstaff(*args):
    out = io.StringIO()
    call_command("createstaff", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def password_env(monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", STRONG)
    return "STAFF_PASSWORD"


def test_it_creates_an_advocate_who_can_log_in_to_the_admin(password_env):
    output = createstaff(
        "alice", "--role", "advocate", "--email", "alice@example.org", "--password-from-env", password_env
    )

    user = get_user_model().objects.get(username="alice")
    assert "Created staff account 'alice' with the advocate role" in output
    assert user.is_staff and user.is_active and not user.is_superuser
    assert user.email == "alice@example.org"
    assert user.check_password(STRONG)
    assert list(user.groups.values_list("name", flat=True)) == [ADVOCATES]


def test_giving_an_existing_account_another_role_replaces_the_role_and_keeps_the_password(password_env):
    createstaff("bob", "--role", "advocate", "--password-from-env", password_env)
    bob = get_user_model().objects.get(username="bob")
    other = Group.objects.create(name="Newsletter")
    bob.groups.add(other)

    output = createstaff("bob", "--role", "organizer")  # not a terminal, no variable: password unchanged

    bob.refresh_from_db()
    assert "Updated staff account 'bob' with the organizer role" in output
    assert set(bob.groups.values_list("name", flat=True)) == {ORGANIZERS, "Newsletter"}
    assert bob.check_password(STRONG)


def test_a_weak_password_is_refused_and_no_account_is_created(monkeypatch):
    monkeypatch.setenv("WEAK", "password")
    with pytest.raises(CommandError, match="The password was refused"):
        createstaff("carol", "--role", "organizer", "--password-from-env", "WEAK")
    assert not get_user_model().objects.filter(username="carol").exists()


def test_a_missing_password_variable_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("NOT_SET", raising=False)
    with pytest.raises(CommandError, match="NOT_SET is not set"):
        createstaff("dan", "--role", "advocate", "--password-from-env", "NOT_SET")


def test_a_new_account_without_terminal_or_variable_is_refused():
    with pytest.raises(CommandError, match="No password given"):
        createstaff("erin", "--role", "advocate")
    assert not get_user_model().objects.filter(username="erin").exists()


def test_an_invalid_email_is_refused(password_env):
    with pytest.raises(CommandError, match="not a valid email"):
        createstaff("fay", "--role", "advocate", "--email", "not-an-email", "--password-from-env", password_env)


def test_an_invalid_username_is_refused(password_env):
    with pytest.raises(CommandError, match="username"):
        createstaff("no spaces allowed", "--role", "advocate", "--password-from-env", password_env)


def test_on_a_terminal_the_password_is_asked_twice(monkeypatch):
    answers = iter([STRONG, STRONG])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    createstaff("gus", "--role", "organizer")

    assert get_user_model().objects.get(username="gus").check_password(STRONG)


def test_two_different_passwords_on_a_terminal_change_nothing(monkeypatch):
    answers = iter([STRONG, STRONG + "x"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    with pytest.raises(CommandError, match="do not match"):
        createstaff("hal", "--role", "organizer")
    assert not get_user_model().objects.filter(username="hal").exists()


def test_the_role_groups_hold_what_the_readme_promises():
    advocates = set(Group.objects.get(name=ADVOCATES).permissions.values_list("codename", flat=True))
    organizers = set(Group.objects.get(name=ORGANIZERS).permissions.values_list("codename", flat=True))

    assert {"view_concern", "change_concern", "add_concern", "view_dashboard", "view_moderationevent"} <= advocates
    assert {"delete_concern", "view_contact", "change_moderationevent", "delete_moderationevent"}.isdisjoint(advocates)
    assert {"view_concern", "view_endorsement", "view_dashboard", "add_exportjob", "view_exportjob"} <= organizers
    assert {"change_concern", "delete_concern", "view_contact", "add_concern"}.isdisjoint(organizers)


@pytest.mark.django_db(transaction=True)
def test_role_groups_come_back_with_their_permissions_after_the_database_is_flushed():
    call_command("flush", interactive=False, verbosity=0)
    advocates = Group.objects.get(name=ADVOCATES)
    assert advocates.permissions.filter(codename="change_concern").exists()
    assert Group.objects.get(name=ORGANIZERS).permissions.filter(codename="add_exportjob").exists()
