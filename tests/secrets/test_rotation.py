"""KEK rotation: DEKs re-wrapped, values untouched, safe to interrupt anywhere, finished by a re-run."""

from __future__ import annotations

import pytest

from apps.bootstrap import Services
from core.domain.errors import InvalidInput
from core.domain.secret import KEK_ACTIVE, KEK_PENDING, KEK_RETIRED, EncryptedValue, KekLocked
from tests.secrets.conftest import NEW_PASSPHRASE, PASSPHRASE, PLAINTEXT, Deployment
from tests.secrets.interrupt import Crash, CrashingStore

VALUES = {
    "openai": PLAINTEXT,
    "anthropic": "sk-ant-second-value-00000000",
    "gemini": "AIza-third-value-000000000",
}


def seed(deployment: Deployment) -> dict[str, str]:
    """Three secrets under KEK version 1; returns their values by id."""
    admin = deployment.process()
    return {admin.secrets.create(name, value).secret_id: value for name, value in VALUES.items()}


def envelopes(services: Services) -> dict[str, EncryptedValue]:
    with services.ports.uow() as uow:
        found = {i: uow.secrets.get(i) for i in uow.secrets.ids_not_wrapped_by(0)}
    return {i: s.encrypted for i, s in found.items() if s is not None}


def states(services: Services) -> dict[int, str]:
    return {s.version: s.state for s in services.keks.status()}


def readable_by(deployment: Deployment, passphrase: str, values: dict[str, str], ids: list[str]) -> None:
    reader = deployment.process(passphrase=passphrase)
    reader.require_unlocked()
    for secret_id in ids:
        assert reader.secret_values.value(secret_id) == values[secret_id]


def test_rotation_rewraps_every_key_and_leaves_the_values_untouched(deployment: Deployment) -> None:
    values = seed(deployment)
    before = envelopes(deployment.process())

    report = deployment.process().keks.rotate(PASSPHRASE, NEW_PASSPHRASE)

    after = envelopes(deployment.process())
    assert (report.from_version, report.to_version, report.rewrapped, report.resumed) == (1, 2, 3, False)
    assert "re-wrapped 3" in report.summary()
    assert all(after[i].ciphertext == before[i].ciphertext for i in values)
    assert all(after[i].wrapped_dek != before[i].wrapped_dek and after[i].kek_version == 2 for i in values)
    assert states(deployment.process()) == {1: KEK_RETIRED, 2: KEK_ACTIVE}
    readable_by(deployment, NEW_PASSPHRASE, values, list(values))


def test_after_rotation_the_old_passphrase_is_refused_at_start(deployment: Deployment) -> None:
    seed(deployment)
    deployment.process().keks.rotate(PASSPHRASE, NEW_PASSPHRASE)

    with pytest.raises(KekLocked, match="retired by a key rotation"):
        deployment.process(passphrase=PASSPHRASE).require_unlocked()


def test_new_secrets_after_rotation_use_the_new_kek(deployment: Deployment) -> None:
    seed(deployment)
    rotator = deployment.process()
    rotator.keks.rotate(PASSPHRASE, NEW_PASSPHRASE)

    made_here = rotator.secrets.create("after-here", "sk-after-rotation-0000000")
    made_elsewhere = deployment.process(passphrase=NEW_PASSPHRASE).secrets.create(
        "after", "sk-after-00000000000"
    )

    current = envelopes(rotator)
    assert current[made_here.secret_id].kek_version == current[made_elsewhere.secret_id].kek_version == 2


@pytest.mark.parametrize("crash_after", [0, 1, 2])
def test_a_rotation_interrupted_after_any_row_leaves_every_secret_readable_and_a_rerun_finishes(
    deployment: Deployment, crash_after: int
) -> None:
    values = seed(deployment)
    crashing = CrashingStore(deployment.unit_of_work(), after_rewraps=crash_after)
    with pytest.raises(Crash):
        deployment.process(uow=crashing).keks.rotate(PASSPHRASE, NEW_PASSPHRASE)

    assert_readable_mid_rotation(deployment, values, rewrapped=crash_after)
    report = deployment.process().keks.rotate(PASSPHRASE, NEW_PASSPHRASE)

    assert (report.resumed, report.rewrapped, report.already_done) == (True, 3 - crash_after, crash_after)
    assert_finished(deployment, values)


def test_a_rotation_interrupted_while_finishing_is_finished_by_a_rerun(deployment: Deployment) -> None:
    values = seed(deployment)
    crashing = CrashingStore(deployment.unit_of_work(), at_finish=True)
    with pytest.raises(Crash):
        deployment.process(uow=crashing).keks.rotate(PASSPHRASE, NEW_PASSPHRASE)

    assert_readable_mid_rotation(deployment, values, rewrapped=3)
    report = deployment.process().keks.rotate(PASSPHRASE, NEW_PASSPHRASE)

    assert (report.resumed, report.rewrapped) == (True, 0)
    assert_finished(deployment, values)


def assert_readable_mid_rotation(deployment: Deployment, values: dict[str, str], rewrapped: int) -> None:
    """Each secret opens with the passphrase its row's KEK version says; a server given both reads all."""
    observer = deployment.process()
    assert states(observer) == {1: KEK_ACTIVE, 2: KEK_PENDING}
    by_version = {i: e.kek_version for i, e in envelopes(observer).items()}
    assert sorted(by_version.values()).count(2) == rewrapped
    readable_by(deployment, PASSPHRASE, values, [i for i, v in by_version.items() if v == 1])
    readable_by(deployment, NEW_PASSPHRASE, values, [i for i, v in by_version.items() if v == 2])
    both = deployment.process(passphrase=PASSPHRASE, next_passphrase=NEW_PASSPHRASE)
    assert {i: both.secret_values.value(i) for i in values} == values


def assert_finished(deployment: Deployment, values: dict[str, str]) -> None:
    observer = deployment.process(passphrase=NEW_PASSPHRASE)
    assert states(observer) == {1: KEK_RETIRED, 2: KEK_ACTIVE}
    assert {e.kek_version for e in envelopes(observer).values()} == {2}
    readable_by(deployment, NEW_PASSPHRASE, values, list(values))
    with pytest.raises(KekLocked):
        deployment.process(passphrase=PASSPHRASE).require_unlocked()


def test_a_rerun_must_use_the_new_passphrase_the_rotation_started_with(deployment: Deployment) -> None:
    values = seed(deployment)
    with pytest.raises(Crash):
        deployment.process(uow=CrashingStore(deployment.unit_of_work(), after_rewraps=1)).keks.rotate(
            PASSPHRASE, NEW_PASSPHRASE
        )

    with pytest.raises(KekLocked, match="unfinished"):
        deployment.process().keks.rotate(PASSPHRASE, "yet another different passphrase")

    assert_readable_mid_rotation(deployment, values, rewrapped=1)


def test_a_wrong_current_passphrase_changes_nothing(deployment: Deployment) -> None:
    values = seed(deployment)

    with pytest.raises(KekLocked, match="does not open active KEK version 1"):
        deployment.process().keks.rotate("not the current passphrase", NEW_PASSPHRASE)

    assert states(deployment.process()) == {1: KEK_ACTIVE}
    readable_by(deployment, PASSPHRASE, values, list(values))


@pytest.mark.parametrize("new", ["short", PASSPHRASE])
def test_the_new_passphrase_must_be_long_and_different(deployment: Deployment, new: str) -> None:
    seed(deployment)

    with pytest.raises(InvalidInput):
        deployment.process().keks.rotate(PASSPHRASE, new)
    assert states(deployment.process()) == {1: KEK_ACTIVE}


def test_a_secret_written_under_the_old_kek_during_rotation_is_rewrapped_too(deployment: Deployment) -> None:
    values = seed(deployment)
    old_only = deployment.process(passphrase=PASSPHRASE)
    old_only.require_unlocked()  # started before the rotation: holds only version 1

    def write_once(rewraps: int) -> None:
        if rewraps == 1 and len(values) == 3:
            made = old_only.secrets.create("late", "sk-late-value-00000000000")
            values[made.secret_id] = "sk-late-value-00000000000"

    deployment.process(
        uow=CrashingStore(deployment.unit_of_work(), between_transactions=write_once)
    ).keks.rotate(PASSPHRASE, NEW_PASSPHRASE)

    assert len(values) == 4
    assert_finished(deployment, values)


def test_a_running_server_given_the_next_passphrase_keeps_working_through_a_rotation(
    deployment: Deployment,
) -> None:
    values = seed(deployment)
    server = deployment.process(passphrase=PASSPHRASE, next_passphrase=NEW_PASSPHRASE)
    server.require_unlocked()  # started before the rotation existed

    deployment.process().keks.rotate(PASSPHRASE, NEW_PASSPHRASE)

    assert {i: server.secret_values.value(i) for i in values} == values


def test_a_running_server_with_only_the_old_passphrase_cannot_open_rewrapped_keys(
    deployment: Deployment,
) -> None:
    values = seed(deployment)
    first, second = list(values)[:2]
    server = deployment.process(passphrase=PASSPHRASE)
    assert server.secret_values.value(first) == values[first]  # cached before the rotation

    deployment.process().keks.rotate(PASSPHRASE, NEW_PASSPHRASE)

    assert server.secret_values.value(first) == values[first]
    with pytest.raises(KekLocked, match="KEK version 2"):
        server.secret_values.value(second)
