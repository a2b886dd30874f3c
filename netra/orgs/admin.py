from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from netra.audit.services import record
from netra.orgs import enrolment
from netra.orgs.models import Agency, EnrolmentLink, Membership, Unit, User

# Memberships carry case power: in the Django admin only a superuser grants or changes them
# (agencies grant through netra.orgs.memberships, which applies the role table's vouched_by).
# The role must fit the agency's kind: Membership.clean() answers in the form, save() refuses.


def _superuser_only(request, obj=None) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


def _audit_membership(request, membership: Membership, *, deleted: bool = False) -> None:
    action = "membership.deleted" if deleted else "membership.saved"
    record(
        request.user,
        action,
        obj=membership,
        user=membership.user_id,
        role=membership.role,
        active=membership.active,
        via="admin",
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["agency", "role", "active", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["agency"]
    has_add_permission = staticmethod(_superuser_only)
    has_change_permission = staticmethod(_superuser_only)
    has_delete_permission = staticmethod(_superuser_only)


class AuditedMembershipsMixin:
    """Audit the memberships saved through an inline of this admin."""

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        if formset.model is Membership:
            for membership in formset.new_objects + [obj for obj, _fields in formset.changed_objects]:
                _audit_membership(request, membership)
            for membership in formset.deleted_objects:
                _audit_membership(request, membership, deleted=True)


class UserMembershipInline(MembershipInline):
    fk_name = "user"


class AgencyMembershipInline(MembershipInline):
    fk_name = "agency"
    fields = ["user", "role", "active", "created_at"]
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(AuditedMembershipsMixin, DjangoUserAdmin):
    fieldsets = [
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Preferensi"), {"fields": ["timezone"]}),
    ]
    inlines = [UserMembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role", "memberships__agency__kind"]
    actions = ["send_enrolment_link"]

    @admin.action(description=_("Kirim tautan aktivasi 2FA ke e-mail pengguna"))
    def send_enrolment_link(self, request, queryset):
        base_url = settings.NETRA_SITE_URL or request.build_absolute_uri("/")
        for user in queryset:
            try:
                address = enrolment.send_link(user=user, issued_by=request.user, base_url=base_url)
            except enrolment.EnrolmentError as error:
                self.message_user(request, f"{user.username}: {error.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Tautan aktivasi untuk %(username)s dikirim ke %(email)s.")
                    % {"username": user.username, "email": address},
                    messages.SUCCESS,
                )


@admin.register(EnrolmentLink)
class EnrolmentLinkAdmin(admin.ModelAdmin):
    """Read-only: links are issued by the action on users, never typed in."""

    list_display = ["user", "issued_by", "created_at", "expires_at", "used_at"]
    list_select_related = ["user", "issued_by"]
    search_fields = ["user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0


@admin.register(Agency)
class AgencyAdmin(AuditedMembershipsMixin, admin.ModelAdmin):
    list_display = ["name", "code", "kind", "region", "parent", "active"]
    list_filter = ["kind", "active"]
    list_select_related = ["region", "parent"]
    search_fields = ["name", "code", "region__name", "region__code"]
    prepopulated_fields = {"code": ["name"]}
    autocomplete_fields = ["parent"]
    filter_horizontal = ["covered_regions"]
    fieldsets = [
        (None, {"fields": ["name", "code", "kind", "region", "parent", "active"]}),
        (_("Wilayah kerja (Kanreg BKN)"), {"fields": ["covered_regions"], "classes": ["collapse"]}),
        (_("Surat"), {"fields": ["letterhead"]}),
    ]
    inlines = [UnitInline, AgencyMembershipInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "agency"]
    list_filter = ["agency__kind"]
    list_select_related = ["agency"]
    search_fields = ["name", "agency__name", "agency__code"]
    autocomplete_fields = ["agency"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "active", "created_at"]
    list_filter = ["role", "active", "agency__kind"]
    list_select_related = ["user", "agency"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name", "agency__code"]
    autocomplete_fields = ["user", "agency"]
    readonly_fields = ["created_at"]
    has_add_permission = staticmethod(_superuser_only)
    has_change_permission = staticmethod(_superuser_only)
    has_delete_permission = staticmethod(_superuser_only)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _audit_membership(request, obj)

    def delete_model(self, request, obj):
        _audit_membership(request, obj, deleted=True)
        super().delete_model(request, obj)
