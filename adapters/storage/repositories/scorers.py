"""Scorer versions: (scorer_id, version) is the key; (namespace, name, version) is unique too."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, delete, func, select, update

from adapters.storage._errors import guarded_write
from adapters.storage._mapping import scorer_of, scorer_row
from adapters.storage._tables import ScorerVersionRow
from adapters.storage.repositories._base import SqlRepository, fetch_page
from core.domain.errors import AlreadyExists, NotFound
from core.domain.page import Page, PageRequest
from core.domain.scorer import ScorerVersion


class SqlScorerRepository(SqlRepository):
    def add(self, version: ScorerVersion) -> None:
        ident = f"{version.namespace}/{version.name} v{version.version}"
        with guarded_write(
            self._session,
            exists=lambda: AlreadyExists("scorer version", ident),
            missing=lambda: NotFound("endpoint", str(version.endpoint_id)),
        ):
            self._session.add(scorer_row(version))

    def versions(self, scorer_id: str) -> Sequence[ScorerVersion]:
        statement = (
            select(ScorerVersionRow)
            .where(col(ScorerVersionRow.scorer_id) == scorer_id)
            .order_by(col(ScorerVersionRow.version))
        )
        return [scorer_of(r) for r in self._session.exec(statement).all()]

    def versions_by_name(self, namespace: str, name: str) -> Sequence[ScorerVersion]:
        statement = (
            select(ScorerVersionRow)
            .where(col(ScorerVersionRow.namespace) == namespace, col(ScorerVersionRow.name) == name)
            .order_by(col(ScorerVersionRow.version))
        )
        return [scorer_of(r) for r in self._session.exec(statement).all()]

    def list_latest(self, page: PageRequest, namespace: str | None = None) -> Page[ScorerVersion]:
        """The newest version of each scorer, ordered by when that version was created."""
        newest = select(ScorerVersionRow.scorer_id, func.max(ScorerVersionRow.version).label("version"))
        if namespace is not None:
            newest = newest.where(col(ScorerVersionRow.namespace) == namespace)
        latest = newest.group_by(col(ScorerVersionRow.scorer_id)).subquery()
        statement = (
            select(ScorerVersionRow)
            .join(
                latest,
                (col(ScorerVersionRow.scorer_id) == latest.c.scorer_id)
                & (col(ScorerVersionRow.version) == latest.c.version),
            )
            .order_by(col(ScorerVersionRow.created_at), self._stable(col(ScorerVersionRow.scorer_id)))
        )
        return fetch_page(self._session, statement, page, scorer_of)

    def delete_version(self, scorer_id: str, version: int) -> None:
        self._session.exec(
            delete(ScorerVersionRow).where(
                col(ScorerVersionRow.scorer_id) == scorer_id, col(ScorerVersionRow.version) == version
            )
        )

    def delete(self, scorer_id: str) -> None:
        self._session.exec(delete(ScorerVersionRow).where(col(ScorerVersionRow.scorer_id) == scorer_id))

    def detach_endpoint(self, endpoint_id: str) -> None:
        self._session.exec(
            update(ScorerVersionRow)
            .where(col(ScorerVersionRow.endpoint_id) == endpoint_id)
            .values(endpoint_id=None)
        )
