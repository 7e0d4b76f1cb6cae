"""A <select> written by Python instead of Django's widget templates.

Django renders each option through two template includes, about a quarter of a millisecond an option; the
community-area picker has 160 options on every concern form, which made it the costliest part of that page
(about 40 ms of 50), and the dashboard's area filter has 80. The HTML is the one Django's `select.html` writes,
less its blank lines.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class PlainSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>', option["value"], flatatt(option["attrs"]), option["label"]
                )
                for option in options
            )
            if group_name:
                parts.append(SafeString("</optgroup>"))
        parts.append(SafeString("</select>"))
        return format_html_join("\n", "{}", ((part,) for part in parts))
