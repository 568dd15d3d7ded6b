from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "ventanilla.triage"
    verbose_name = "Triage"

    def ready(self) -> None:
        from ventanilla.conversations.inbound import message_received
        from ventanilla.referrals.transfers import conversation_transferred
        from ventanilla.triage import tasks

        message_received.connect(tasks.on_message_received, dispatch_uid="triage")
        conversation_transferred.connect(tasks.on_conversation_transferred, dispatch_uid="triage")
