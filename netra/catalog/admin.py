"""Admin for the reference data: editable because several facts are marked (verify) and
elections, cuti bersama and the catalogue change over time. Labels come from the models'
Indonesian verbose names."""

from django.contrib import admin
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from netra.catalog.models import (
    Election,
    ElectionPhase,
    NonWorkingDay,
    Region,
    SanctionCategory,
    SanctionType,
    ViolationGroup,
    ViolationItem,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "timezone"]
    list_filter = ["kind", "timezone"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


class ElectionPhaseInline(admin.TabularInline):
    model = ElectionPhase
    extra = 0
    fields = ["kind", "start", "end"]


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "voting_date"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    date_hierarchy = "voting_date"
    inlines = [ElectionPhaseInline]


@admin.register(NonWorkingDay)
class NonWorkingDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "description"]
    search_fields = ["description"]
    date_hierarchy = "date"

    @admin.display(description=_("hari"))
    def weekday(self, obj: NonWorkingDay) -> str:
        return WEEKDAYS[obj.date.weekday()]


@admin.register(SanctionCategory)
class SanctionCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_id", "severity"]
    search_fields = ["code", "name_id", "name_en"]


@admin.register(SanctionType)
class SanctionTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_id", "category", "order"]
    list_filter = ["category"]
    search_fields = ["code", "name_id", "name_en"]
    list_select_related = ["category"]


class ViolationItemInline(admin.StackedInline):
    model = ViolationItem
    extra = 0
    fields = [
        "code",
        "order",
        ("name_id", "name_en"),
        ("description_id", "description_en"),
        "legal_basis",
        ("ethics_category", "discipline_category"),
        ("phase_note_id", "phase_note_en"),
    ]


@admin.register(ViolationGroup)
class ViolationGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name_id", "sanction_category", "order"]
    list_filter = ["sanction_category"]
    search_fields = ["code", "name_id", "name_en"]
    list_select_related = ["sanction_category"]
    inlines = [ViolationItemInline]
