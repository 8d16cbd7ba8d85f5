"""Fernet encryption of the ConnectWise keys at rest (settings.FIELD_ENCRYPTION_KEY)."""

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class UndecryptableSecret(Exception):
    """A stored key no longer decrypts (FIELD_ENCRYPTION_KEY changed): it must be re-entered."""


def _fernet() -> Fernet:
    return Fernet(settings.FIELD_ENCRYPTION_KEY.encode())


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        raise UndecryptableSecret(
            "The stored ConnectWise keys cannot be decrypted with the current FIELD_ENCRYPTION_KEY; enter them again."
        ) from None
