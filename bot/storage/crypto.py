"""Encryption of Instagram tokens at rest (Fernet, with key rotation through MultiFernet)."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class UndecryptableToken(Exception):
    """The stored token was encrypted with a key that is no longer configured."""


class TokenCipher:
    """Encrypts with the first key; decrypts with any key and says when a token needs re-encrypting.

    Args:
        keys: Fernet keys (url-safe base64, 32 bytes); the first one encrypts, all of them decrypt.
    """

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        fernets = [Fernet(k.encode()) for k in keys]
        self._primary = fernets[0]
        self._all = MultiFernet(fernets)

    def encrypt(self, token: str) -> str:
        """Encrypt ``token`` with the primary key."""
        return self._primary.encrypt(token.encode()).decode()

    def decrypt(self, ciphertext: str) -> tuple[str, str | None]:
        """Return ``(token, rotated)``; ``rotated`` is the ciphertext re-encrypted with the primary key
        when the stored one used an older key, else None."""
        data = ciphertext.encode()
        try:
            return self._primary.decrypt(data).decode(), None
        except InvalidToken:
            pass
        try:
            token = self._all.decrypt(data).decode()
        except InvalidToken as exc:
            raise UndecryptableToken("no configured key decrypts this token") from exc
        return token, self._all.rotate(data).decode()
