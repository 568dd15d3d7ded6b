from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "ventanilla.referrals"
    verbose_name = "Referrals and protection"
