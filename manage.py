#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civictrust.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018  # reads the settings: a setting the environment got wrong fails here
    except ImproperlyConfigured as error:
        # A configuration mistake (SECRET_KEY unset, a misspelt boolean) is one line that says what to set,
        # never a traceback.
        sys.stderr.write(f"{error}\n")
        sys.exit(1)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
