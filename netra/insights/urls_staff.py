from django.urls import path

from netra.insights import views

app_name = "insights_staff"
urlpatterns = [
    path("", views.staff_dashboard, name="dashboard"),
]
