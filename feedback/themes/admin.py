"""Themes in the admin, for organizers and advocates: each theme's label (editable), size, breakdowns and concerns."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Sum, Window
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..models import Consultation, Theme
from ..roles import VIEW_DASHBOARD_PERMISSION
from .selectors import theme_breakdown, theme_concerns
from .services import LABEL_MAX_LENGTH, rename_theme, request_theme_rebuild

CONCERNS_SHOWN = 100


class ThemeForm(forms.ModelForm):
    """The label, as staff read it now (a topic's name in their language until someone chose another)."""

    label = forms.CharField(label=_("Label"), max_length=LABEL_MAX_LENGTH)

    class Meta:
        model = Theme
        fields = ("label",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["label"] = self.instance.display_label


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    form = ThemeForm
    list_display = ("display_label", "consultation", "size", "share", "keyword_list", "built_at")
    list_display_links = ("display_label",)
    list_filter = ("consultation",)
    list_select_related = ("anchor", "consultation")
    ordering = ("consultation", "position", "pk")
    fields = ("label", "consultation", "size", "keyword_list", "built_at")
    readonly_fields = ("consultation", "size", "keyword_list", "built_at")
    change_form_template = "admin/feedback/theme/change_form.html"
    change_list_template = "admin/feedback/theme/change_list.html"

    def has_add_permission(self, request):
        return False  # themes come from a build, never by hand

    def has_delete_permission(self, request, obj=None):
        return False  # a rebuild replaces them

    def get_queryset(self, request):
        # Each theme's share of its consultation's themed concerns, counted in the list's own query.
        total = Window(Sum("size"), partition_by=[F("consultation_id")])
        return super().get_queryset(request).annotate(consultation_total=total)

    @admin.display(description=_("theme"), ordering="label")
    def display_label(self, theme: Theme) -> str:
        return theme.display_label

    @admin.display(description=_("share"))
    def share(self, theme: Theme) -> str:
        total = getattr(theme, "consultation_total", 0) or 0
        return f"{100 * theme.size / total:.0f}%" if total else "–"

    @admin.display(description=_("keywords"))
    def keyword_list(self, theme: Theme) -> str:
        return ", ".join(theme.keywords)

    def save_model(self, request, obj, form, change):
        if "label" in form.changed_data:
            try:
                rename_theme(theme_id=obj.pk, label=form.cleaned_data["label"])
            except (ValidationError, Theme.DoesNotExist) as error:
                self.message_user(request, "; ".join(getattr(error, "messages", [str(error)])), messages.ERROR)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        theme = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if theme is not None:
            exact = request.GET.get("internal") == "1" and request.user.has_perm(VIEW_DASHBOARD_PERMISSION)
            context.update(
                breakdown=theme_breakdown(theme, exact=exact),
                theme_concern_list=theme_concerns(theme, limit=CONCERNS_SHOWN),
                concerns_shown=CONCERNS_SHOWN,
                all_concerns_url=f"{reverse('admin:feedback_concern_changelist')}?theme={theme.pk}&moderation=all",
                may_see_exact=request.user.has_perm(VIEW_DASHBOARD_PERMISSION),
            )
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self):
        view = self.admin_site.admin_view(require_POST(self.rebuild_view))
        rebuild = path("rebuild/", view, name="feedback_theme_rebuild")
        return [rebuild, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        context = {"consultations": Consultation.objects.order_by("-opens_at"), **(extra_context or {})}
        return super().changelist_view(request, context)

    def rebuild_view(self, request):
        """Ask a worker to build a consultation's themes again (POST, staff who may change themes)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        chosen = request.POST.get("consultation", "")
        consultation = Consultation.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if consultation is None:
            self.message_user(request, gettext("Choose a consultation to build themes for."), messages.ERROR)
        else:
            request_theme_rebuild(consultation=consultation)
            self.message_user(
                request,
                gettext("The themes of “%(title)s” are being built again; reload this page in a minute.")
                % {"title": consultation.title},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:feedback_theme_changelist"))
