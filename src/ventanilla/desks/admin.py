from django.contrib import admin

from ventanilla.desks.models import AgentProfile, Desk, RequestType, Team


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0
    prepopulated_fields = {"slug": ["name"]}


class RequestTypeInline(admin.TabularInline):
    model = RequestType
    extra = 0


@admin.register(Desk)
class DeskAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "languages", "reference_prefix"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TeamInline, RequestTypeInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "desk"]
    list_filter = ["desk"]


@admin.register(RequestType)
class RequestTypeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "desk",
        "first_response_hours",
        "resolution_hours",
        "business_hours",
    ]
    list_filter = ["desk"]


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "languages", "capacity"]
    list_filter = ["desks", "teams"]
    filter_horizontal = ["desks", "teams"]
    search_fields = ["user__username"]
