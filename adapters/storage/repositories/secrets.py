"""Secrets (metadata plus the encrypted value) and the KEK versions that wrap their keys."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, delete, select

from adapters.storage._errors import guarded_write
from adapters.storage._mapping import kek_of, kek_row, secret_columns, secret_of, stored_secret_of
from adapters.storage._tables import KekRow, SecretRow
from adapters.storage.repositories._base import SqlRepository, fetch_page
from core.domain.errors import AlreadyExists, NotFound
from core.domain.page import Page, PageRequest
from core.domain.secret import EncryptedValue, KekVersion, Secret, StoredSecret


class SqlSecretRepository(SqlRepository):
    def add(self, stored: StoredSecret) -> None:
        with guarded_write(self._session, exists=lambda: AlreadyExists("secret", stored.secret.name)):
            self._session.add(SecretRow(**secret_columns(stored)))

    def get(self, secret_id: str) -> StoredSecret | None:
        row = self._session.get(SecretRow, secret_id)
        return None if row is None else stored_secret_of(row)

    def get_by_name(self, name: str) -> StoredSecret | None:
        row = self._session.exec(select(SecretRow).where(SecretRow.name == name)).first()
        return None if row is None else stored_secret_of(row)

    def list(self, page: PageRequest) -> Page[Secret]:
        statement = select(SecretRow).order_by(
            col(SecretRow.created_at), self._stable(col(SecretRow.secret_id))
        )
        return fetch_page(self._session, statement, page, secret_of)

    def update(self, stored: StoredSecret) -> None:
        row = self._require(stored.secret.secret_id)
        with guarded_write(self._session, exists=lambda: AlreadyExists("secret", stored.secret.name)):
            for name, value in secret_columns(stored).items():
                setattr(row, name, value)

    def delete(self, secret_id: str) -> None:
        self._session.exec(delete(SecretRow).where(col(SecretRow.secret_id) == secret_id))
        # The database set secret_id to NULL on model definitions; drop their cached state.
        self._session.expire_all()

    def ids_not_wrapped_by(self, kek_version: int) -> Sequence[str]:
        statement = (
            select(SecretRow.secret_id)
            .where(SecretRow.kek_version != kek_version)
            .order_by(self._stable(col(SecretRow.secret_id)))
        )
        return list(self._session.exec(statement).all())

    def rewrap(self, secret_id: str, encrypted: EncryptedValue) -> None:
        # Locked, so a value update cannot land between the check and the write (PostgreSQL).
        row = self._session.get(SecretRow, secret_id, with_for_update=True)
        if row is None:
            raise NotFound("secret", secret_id)
        if bytes(row.ciphertext) != encrypted.ciphertext:
            raise ValueError("rewrap must not change the ciphertext")
        with guarded_write(self._session):
            # Only these two columns are written; the ciphertext is left exactly as stored.
            row.wrapped_dek = encrypted.wrapped_dek
            row.kek_version = encrypted.kek_version

    def _require(self, secret_id: str) -> SecretRow:
        row = self._session.get(SecretRow, secret_id)
        if row is None:
            raise NotFound("secret", secret_id)
        return row


class SqlKekRepository(SqlRepository):
    def list(self) -> Sequence[KekVersion]:
        rows = self._session.exec(select(KekRow).order_by(col(KekRow.version))).all()
        return [kek_of(r) for r in rows]

    def add(self, kek: KekVersion) -> None:
        with guarded_write(self._session, exists=lambda: AlreadyExists("KEK version", str(kek.version))):
            self._session.add(kek_row(kek))

    def set_state(self, version: int, state: str) -> None:
        row = self._session.get(KekRow, version)
        if row is None:
            raise NotFound("KEK version", str(version))
        with guarded_write(self._session):
            row.state = state
