"""The value of a secret appears nowhere: not in the database files, a dump, logs, errors or reprs."""

from __future__ import annotations

import logging
import shutil
import subprocess
import traceback
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from apps.bootstrap import Services
from core.domain.errors import DomainError
from core.domain.page import PageRequest
from core.services.model_definitions import ModelDefinitionSpec
from tests.secrets.conftest import NEW_PASSPHRASE, PASSPHRASE, PLAINTEXT, Deployment, leaks

UPDATED = "sk-live-SECOND-CANARY-5d1e0a9c7b-wxyz"
MARKERS = ("CANARY-7f3c9b2e41d84a6f95c0", "PLAINTEXT-q8Zr", "SECOND-CANARY-5d1e0a9c7b")
PG_DUMP = shutil.which("pg_dump") or "/usr/lib/postgresql/15/bin/pg_dump"


def everything(deployment: Deployment) -> list[BaseException]:
    """Use every secret feature, the failing paths too; returns the errors raised on the way."""
    errors: list[BaseException] = []
    admin = deployment.process()
    secret = admin.secrets.create("openai", PLAINTEXT, provider="openai", auth_config={"org": "acme"})
    spare = admin.secrets.create("spare", UPDATED)
    admin.model_definitions.create(
        ModelDefinitionSpec(name="gpt", provider="openai", model_name="gpt-4o", secret_id=secret.secret_id)
    )
    assert admin.secret_values.value(secret.secret_id) == PLAINTEXT
    admin.secrets.update(spare.secret_id, value=PLAINTEXT + "-v2")
    admin.secrets.update(spare.secret_id, value=UPDATED, name="spare-renamed")
    for failing in (
        lambda: admin.secrets.create("openai", PLAINTEXT),  # name taken
        lambda: admin.secrets.create("", PLAINTEXT),  # bad name
        lambda: admin.secrets.delete(secret.secret_id),  # in use
        lambda: deployment.process(passphrase="not the right passphrase").secret_values.value(
            secret.secret_id
        ),
        lambda: deployment.process().keks.rotate("not the right passphrase", NEW_PASSPHRASE),
    ):
        with pytest.raises(DomainError) as caught:
            failing()
        errors.append(caught.value)
    rotated = deployment.process()
    rotated.keks.rotate(PASSPHRASE, NEW_PASSPHRASE)
    server = deployment.process(passphrase=NEW_PASSPHRASE)
    assert server.secret_values.value(secret.secret_id) == PLAINTEXT
    assert server.secret_values.value(spare.secret_id) == UPDATED
    for shown in (repr(server), repr(rotated), repr(admin.secrets.list(PageRequest()))):
        assert not leaks(shown, MARKERS) and PASSPHRASE not in shown and NEW_PASSPHRASE not in shown
    return errors


def test_nothing_in_the_sqlite_files_including_the_wal(sqlite_deployment: Deployment, tmp_path: Path) -> None:
    everything(sqlite_deployment)

    files = sorted(tmp_path.glob("switchboard.db*"))  # still open: the WAL holds recent pages
    assert {f.name for f in files} >= {"switchboard.db", "switchboard.db-wal"}
    contents = b"".join(f.read_bytes() for f in files)
    assert b"sk-...q8Zr" in contents  # the masked value is stored, so these are the right bytes
    assert leaks(contents, MARKERS) == []

    sqlite_deployment.close()  # checkpoints the WAL into the main file
    assert leaks(b"".join(f.read_bytes() for f in tmp_path.glob("switchboard.db*")), MARKERS) == []


@pytest.mark.postgres
def test_nothing_in_a_postgresql_dump_or_any_row(postgres_deployment: Deployment) -> None:
    everything(postgres_deployment)
    url = make_url(postgres_deployment.url).set(drivername="postgresql")

    dump = subprocess.run(
        [PG_DUMP, "--no-owner", url.render_as_string(hide_password=False)], capture_output=True, check=True
    ).stdout
    assert b"sk-...q8Zr" in dump
    assert leaks(dump, MARKERS) == []
    assert leaks(every_row(url.set(drivername="postgresql+psycopg").render_as_string(False)), MARKERS) == []


def every_row(url: str) -> bytes:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = [
                repr(tuple(row)).encode()
                for table in inspect(connection).get_table_names()
                for row in connection.execute(text(f'SELECT * FROM "{table}"'))
            ]
    finally:
        engine.dispose()
    assert rows
    return b"\n".join(rows)


def test_nothing_in_any_log_line_at_debug(
    sqlite_deployment: Deployment, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)  # statements and their parameters too
    try:
        everything(sqlite_deployment)
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.NOTSET)

    messages = [r.getMessage() + repr(r.args) + (r.exc_text or "") for r in caplog.records]
    assert any("created secret" in m for m in messages) and any("INSERT INTO secrets" in m for m in messages)
    assert [m for m in messages if leaks(m, MARKERS)] == []


def test_nothing_in_exception_messages_reprs_or_tracebacks(deployment: Deployment) -> None:
    errors = everything(deployment)

    assert len(errors) == 5
    for error in errors:
        shown = "".join(traceback.format_exception(error)) + repr(error) + str(error)
        assert not leaks(shown, MARKERS) and PASSPHRASE not in shown


def test_services_and_settings_do_not_show_passphrases(deployment: Deployment) -> None:
    services: Services = deployment.process(next_passphrase=NEW_PASSPHRASE)
    services.require_unlocked()

    for shown in (repr(services), repr(services.settings), repr(services.keks), repr(services.ports)):
        assert PASSPHRASE not in shown and NEW_PASSPHRASE not in shown
