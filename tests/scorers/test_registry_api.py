"""Registering, reading and deleting scorers through the admin API, with the binding rules of PRODUCT §1."""

from __future__ import annotations

from tests.http.conftest import error_of
from tests.scorers.conftest import JUDGE, ScorerAdmin


def test_registering_binds_the_scorer_to_its_endpoint_by_id(admin: ScorerAdmin) -> None:
    endpoint = admin.endpoint("judge-a")["endpoint_id"]

    scorer = admin.register(endpoint, name="correct")

    assert scorer["version"] == 1 and scorer["endpoint_id"] == endpoint
    assert scorer["created_by"] == "alice"
    [binding] = admin.bindings_of(scorer["scorer_id"])
    assert binding["endpoint_id"] == endpoint
    assert (binding["resource_type"], binding["display_name"]) == ("scorer", "correct")
    assert admin.used_by(endpoint) == [(scorer["scorer_id"], "correct")]


def test_a_new_version_on_another_endpoint_moves_the_one_binding(admin: ScorerAdmin) -> None:
    first = admin.endpoint("judge-a")["endpoint_id"]
    second = admin.endpoint("judge-b")["endpoint_id"]
    v1 = admin.register(first)

    v2 = admin.register(second)

    assert (v2["scorer_id"], v2["version"]) == (v1["scorer_id"], 2)
    [binding] = admin.bindings_of(v1["scorer_id"])
    assert binding["endpoint_id"] == second
    assert admin.used_by(first) == []
    assert admin.used_by(second) == [(v1["scorer_id"], "correct")]


def test_a_new_version_on_the_same_endpoint_keeps_one_binding(admin: ScorerAdmin) -> None:
    endpoint = admin.endpoint("judge-a")["endpoint_id"]
    scorer = admin.register(endpoint)
    admin.register(endpoint)

    assert len(admin.bindings_of(scorer["scorer_id"])) == 1
    assert len(admin.used_by(endpoint)) == 1


def test_the_same_name_in_two_namespaces_is_two_scorers_with_two_bindings(admin: ScorerAdmin) -> None:
    endpoint = admin.endpoint("judge-a")["endpoint_id"]

    one = admin.register(endpoint, namespace="exp-1")
    two = admin.register(endpoint, namespace="exp-2")

    assert one["scorer_id"] != two["scorer_id"]
    assert one["version"] == two["version"] == 1
    assert sorted(admin.used_by(endpoint)) == sorted(
        [(one["scorer_id"], "correct"), (two["scorer_id"], "correct")]
    )


def test_deleting_the_newest_version_points_the_binding_back(admin: ScorerAdmin) -> None:
    first = admin.endpoint("judge-a")["endpoint_id"]
    second = admin.endpoint("judge-b")["endpoint_id"]
    scorer_id = admin.register(first)["scorer_id"]
    admin.register(second)

    deleted = admin.delete(f"/api/v1/scorers/{scorer_id}", version=2)

    assert deleted.status_code == 204
    [binding] = admin.bindings_of(scorer_id)
    assert binding["endpoint_id"] == first
    assert admin.used_by(second) == []
    detail = admin.get(f"/api/v1/scorers/{scorer_id}").json()
    assert detail["version"] == 1 and [v["version"] for v in detail["versions"]] == [1]


def test_deleting_an_older_version_leaves_the_binding_alone(admin: ScorerAdmin) -> None:
    first = admin.endpoint("judge-a")["endpoint_id"]
    second = admin.endpoint("judge-b")["endpoint_id"]
    scorer_id = admin.register(first)["scorer_id"]
    admin.register(second)

    admin.delete(f"/api/v1/scorers/{scorer_id}", version=1)

    [binding] = admin.bindings_of(scorer_id)
    assert binding["endpoint_id"] == second


def test_deleting_the_scorer_removes_its_binding(admin: ScorerAdmin) -> None:
    endpoint = admin.endpoint("judge-a")["endpoint_id"]
    scorer_id = admin.register(endpoint)["scorer_id"]
    admin.register(endpoint)

    assert admin.delete(f"/api/v1/scorers/{scorer_id}").status_code == 204

    assert admin.bindings_of(scorer_id) == []
    assert admin.used_by(endpoint) == []
    assert error_of(admin.get(f"/api/v1/scorers/{scorer_id}"))[0] == 404
    # With nothing bound, the endpoint deletes without force.
    assert admin.delete(f"/api/v1/endpoints/{endpoint}").status_code == 204


def test_deleting_the_last_version_deletes_the_scorer(admin: ScorerAdmin) -> None:
    endpoint = admin.endpoint("judge-a")["endpoint_id"]
    scorer_id = admin.register(endpoint)["scorer_id"]

    admin.delete(f"/api/v1/scorers/{scorer_id}", version=1)

    assert admin.bindings_of(scorer_id) == []
    assert error_of(admin.get(f"/api/v1/scorers/{scorer_id}"))[0] == 404


def test_naming_a_missing_endpoint_is_404_and_stores_nothing(admin: ScorerAdmin) -> None:
    body = {
        "namespace": "exp-1",
        "name": "correct",
        "instructions": JUDGE,
        "result_type": "yes_no",
        "endpoint_id": "ghost",
    }

    status, code, message = error_of(admin.post("/api/v1/scorers", body))

    assert (status, code) == (404, "RESOURCE_DOES_NOT_EXIST") and "ghost" in message
    assert admin.get("/api/v1/scorers").json()["scorers"] == []
    assert admin.bindings_of("ghost") == []
    # A new version naming a missing endpoint leaves the scorer and its binding as they were.
    endpoint = admin.endpoint("judge-a")["endpoint_id"]
    scorer_id = admin.register(endpoint)["scorer_id"]
    assert error_of(admin.post("/api/v1/scorers", body))[0] == 404
    assert admin.get(f"/api/v1/scorers/{scorer_id}").json()["version"] == 1
    assert [b["endpoint_id"] for b in admin.bindings_of(scorer_id)] == [endpoint]


def test_deleting_an_endpoint_in_use_is_refused_naming_its_scorers(admin: ScorerAdmin) -> None:
    endpoint = admin.endpoint("judge-a")["endpoint_id"]
    scorer_id = admin.register(endpoint, name="tone")["scorer_id"]

    status, code, message = error_of(admin.delete(f"/api/v1/endpoints/{endpoint}"))

    assert (status, code) == (409, "RESOURCE_HAS_DEPENDENTS")
    assert "scorer 'tone'" in message and scorer_id in message
    assert admin.used_by(endpoint) == [(scorer_id, "tone")]


def test_forced_endpoint_delete_drops_the_binding_and_a_new_version_repoints(admin: ScorerAdmin) -> None:
    gone = admin.endpoint("judge-a")["endpoint_id"]
    scorer_id = admin.register(gone)["scorer_id"]

    assert admin.delete(f"/api/v1/endpoints/{gone}", force="true").status_code == 204

    assert admin.bindings_of(scorer_id) == []
    assert admin.get(f"/api/v1/scorers/{scorer_id}").json()["endpoint_id"] is None
    replacement = admin.endpoint("judge-b")["endpoint_id"]
    assert admin.register(replacement)["version"] == 2
    assert [b["endpoint_id"] for b in admin.bindings_of(scorer_id)] == [replacement]


def test_endpoint_list_shows_who_uses_each_endpoint(admin: ScorerAdmin) -> None:
    used = admin.endpoint("judge-a")["endpoint_id"]
    admin.endpoint("idle")
    scorer_id = admin.register(used, name="tone")["scorer_id"]

    listed = {e["name"]: e["bindings"] for e in admin.get("/api/v1/endpoints").json()["endpoints"]}

    assert listed["idle"] == []
    assert [(b["resource_id"], b["display_name"]) for b in listed["judge-a"]] == [(scorer_id, "tone")]


def test_get_shows_every_version_and_the_binding(admin: ScorerAdmin) -> None:
    first = admin.endpoint("judge-a")["endpoint_id"]
    second = admin.endpoint("judge-b")["endpoint_id"]
    scorer_id = admin.register(first)["scorer_id"]
    admin.register(second, result_type="integer", min=1, max=5)

    detail = admin.get(f"/api/v1/scorers/{scorer_id}").json()

    assert (detail["version"], detail["result_type"], detail["min"], detail["max"]) == (2, "integer", 1, 5)
    assert [(v["version"], v["endpoint_id"]) for v in detail["versions"]] == [(1, first), (2, second)]
    assert detail["binding"]["endpoint_id"] == second


def test_list_shows_the_newest_versions_and_filters_by_namespace(admin: ScorerAdmin) -> None:
    endpoint = admin.endpoint("judge-a")["endpoint_id"]
    admin.register(endpoint, name="a", namespace="exp-1")
    admin.register(endpoint, name="a", namespace="exp-1")
    admin.register(endpoint, name="b", namespace="exp-2")

    everything = admin.get("/api/v1/scorers").json()
    only_one = admin.get("/api/v1/scorers", namespace="exp-1").json()
    first_page = admin.get("/api/v1/scorers", max_results=1).json()

    assert sorted((s["name"], s["version"]) for s in everything["scorers"]) == [("a", 2), ("b", 1)]
    assert [(s["namespace"], s["name"]) for s in only_one["scorers"]] == [("exp-1", "a")]
    assert len(first_page["scorers"]) == 1 and first_page["next_page_token"]


def test_invalid_registrations_are_400_naming_the_field(admin: ScorerAdmin) -> None:
    endpoint = admin.endpoint("judge-a")["endpoint_id"]
    base = {"namespace": "exp", "name": "n", "instructions": JUDGE, "result_type": "yes_no"}
    cases = [
        ({**base, "endpoint_id": endpoint, "result_type": "stars"}, "result_type"),
        ({**base, "endpoint_id": endpoint, "result_type": "integer"}, "min"),
        ({**base, "endpoint_id": endpoint, "result_type": "integer", "min": 5, "max": 1}, "min"),
        ({**base, "endpoint_id": endpoint, "result_type": "integer", "min": 0.5, "max": 3}, "min"),
        ({**base, "endpoint_id": endpoint, "min": 1}, "min"),
        ({**base, "endpoint_id": endpoint, "instructions": "no placeholders"}, "instructions"),
        ({**base, "endpoint_id": endpoint, "name": ""}, "name"),
        (base, "endpoint_id"),
        ({**base, "endpoint_id": endpoint, "colour": "red"}, "colour"),
    ]
    for body, field in cases:
        status, _, message = error_of(admin.post("/api/v1/scorers", body))
        assert status == 400 and field in message, (body, message)
    assert admin.get("/api/v1/scorers").json()["scorers"] == []
    assert admin.used_by(endpoint) == []


def test_unknown_scorers_and_versions_are_404(admin: ScorerAdmin) -> None:
    endpoint = admin.endpoint("judge-a")["endpoint_id"]
    scorer_id = admin.register(endpoint)["scorer_id"]

    assert error_of(admin.get("/api/v1/scorers/nope"))[0] == 404
    assert error_of(admin.delete("/api/v1/scorers/nope"))[0] == 404
    status, _, message = error_of(admin.delete(f"/api/v1/scorers/{scorer_id}", version=7))
    assert status == 404 and "v7" in message
    assert len(admin.bindings_of(scorer_id)) == 1
