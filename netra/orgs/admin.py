from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from netra.orgs import enrolment
from netra.orgs.models import Agency, EnrolmentLink, Membership, Unit, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["agency", "role", "active", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["agency"]


class UserMembershipInline(MembershipInline):
    fk_name = "user"


class AgencyMembershipInline(MembershipInline):
    fk_name = "agency"
    fields = ["user", "role", "active", "created_at"]
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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
class AgencyAdmin(admin.ModelAdmin):
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
