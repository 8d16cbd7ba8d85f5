from django.apps import AppConfig


class PsaConfig(AppConfig):
    name = "flowpilot.psa"
    label = "psa"
    verbose_name = "ConnectWise PSA"
