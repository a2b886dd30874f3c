from django.urls import path

from netra.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.public, name="public"),
]
