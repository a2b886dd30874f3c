from django.urls import path

from netra.channels import views

app_name = "channels"
urlpatterns = [
    path("whatsapp/", views.whatsapp, name="whatsapp"),
    path("sms/", views.sms, name="sms"),
    path("twilio/", views.twilio, name="twilio"),
]
