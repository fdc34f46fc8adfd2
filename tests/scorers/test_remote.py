"""Scorers on a real server (SQLite, served process): the Python client and `switchboard --url`."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from apps.cli.main import cli
from apps.client import SwitchboardAPIError, SwitchboardClient
from tests.client.server import RunningServer, running_server
from tests.scorers.conftest import JUDGE


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running_server(tmp_path_factory.mktemp("scorers")) as running:
        yield running


@pytest.fixture
def client(server: RunningServer) -> Iterator[SwitchboardClient]:
    with SwitchboardClient(server.url, server.admin_key, timeout=10) as client:
        yield client


def mock_endpoint(client: SwitchboardClient, name: str) -> str:
    model = client.create_model_definition(f"{name}-m", "mock", "judge")
    return client.create_endpoint(name, [{"model_definition_id": model["model_definition_id"]}])[
        "endpoint_id"
    ]


def test_the_client_registers_versions_that_move_the_binding_in_the_database(
    client: SwitchboardClient,
) -> None:
    first, second = mock_endpoint(client, "c-judge-a"), mock_endpoint(client, "c-judge-b")

    v1 = client.register_scorer("c-exp", "stars", JUDGE, "integer", first, min=1, max=5)
    v2 = client.register_scorer("c-exp", "stars", JUDGE, "integer", second, min=1, max=5)

    assert (v2["scorer_id"], v2["version"]) == (v1["scorer_id"], 2)
    assert client.list_bindings(first) == []
    [binding] = client.find_bindings("scorer", v1["scorer_id"])
    assert (binding["endpoint_id"], binding["display_name"]) == (second, "stars")
    assert [s["version"] for s in client.list_scorers(namespace="c-exp").items] == [2]
    result = client.run_scorer(v1["scorer_id"], "2+2?", "4")
    assert result["value"] == 5 and "Is 4 a correct answer to 2+2?" in result["rationale"]

    client.delete_scorer(v1["scorer_id"], version=2)
    assert [b["endpoint_id"] for b in client.find_bindings("scorer", v1["scorer_id"])] == [first]
    client.delete_scorer(v1["scorer_id"])
    assert client.find_bindings("scorer", v1["scorer_id"]) == []
    with pytest.raises(SwitchboardAPIError) as raised:
        client.get_scorer(v1["scorer_id"])
    assert raised.value.status == 404


def test_a_forced_endpoint_delete_leaves_the_scorer_saying_why(client: SwitchboardClient) -> None:
    gone = mock_endpoint(client, "c-judge-gone")
    scorer = client.register_scorer("c-exp", "tone", JUDGE, "yes_no", gone)

    with pytest.raises(SwitchboardAPIError) as refused:
        client.delete_endpoint(gone)
    client.delete_endpoint(gone, force=True)
    with pytest.raises(SwitchboardAPIError) as deleted:
        client.run_scorer(scorer["scorer_id"], "q", "a")

    assert refused.value.status == 409 and "scorer 'tone'" in str(refused.value)
    assert deleted.value.status == 409 and "endpoint was deleted" in str(deleted.value)
    assert client.get_scorer(scorer["scorer_id"])["endpoint_id"] is None


def test_the_cli_over_http(server: RunningServer, client: SwitchboardClient) -> None:
    endpoint = mock_endpoint(client, "r-judge")
    env = {
        "SWITCHBOARD_URL": server.url,
        "SWITCHBOARD_API_KEY": server.admin_key,
        "SWITCHBOARD_DATABASE_URL": "sqlite:////nonexistent-dir/never.db",  # must not be opened
    }

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args), env=env)
        assert result.exit_code == 0, (result.output, result.exception)
        return result.stdout

    scorer = json.loads(
        run(
            "scorers",
            "register",
            "--namespace",
            "r-exp",
            "--name",
            "ok",
            "--instructions",
            JUDGE,
            "--result-type",
            "yes_no",
            "--endpoint-id",
            endpoint,
            "--json",
        )
    )
    result = json.loads(
        run("scorers", "run", scorer["scorer_id"], "--inputs", "q", "--outputs", "a", "--json")
    )
    detail = json.loads(run("scorers", "get", scorer["scorer_id"], "--json"))

    assert scorer["created_by"] == "test-admin"  # the server's principal: it went over HTTP
    assert result["value"] == "yes"
    assert detail["binding"]["endpoint_id"] == endpoint
    assert scorer["scorer_id"] in run("scorers", "list", "--namespace", "r-exp")
    run("scorers", "delete", scorer["scorer_id"])
    assert json.loads(run("scorers", "list", "--namespace", "r-exp", "--json"))["scorers"] == []
