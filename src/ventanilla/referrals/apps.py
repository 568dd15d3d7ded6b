from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "ventanilla.referrals"
    verbose_name = "Referrals and protection"

    def ready(self) -> None:
        from ventanilla.conversations.retention import content_removed
        from ventanilla.referrals.services import forget_texts

        content_removed.connect(forget_texts, dispatch_uid="referrals")
