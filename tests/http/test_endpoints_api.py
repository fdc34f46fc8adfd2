"""/api/v1/endpoints: embedded models and bindings, filters, patches, dependents."""

from __future__ import annotations

from typing import Any

from tests.http.conftest import Admin, error_of

PATH = "/api/v1/endpoints"


def full_body(primary: str, fallback: str) -> dict[str, Any]:
    return {
        "name": "chat",
        "model_mappings": [
            {"model_definition_id": primary, "weight": 3},
            {"model_definition_id": fallback, "linkage_type": "FALLBACK", "fallback_order": 1},
        ],
        "tags": [{"key": "team", "value": "search"}, {"key": "beta"}],
        "fallback_config": {"strategy": "SEQUENTIAL", "max_attempts": 2},
        "retry_policy": {"max_retries": 2, "max_retry_after_s": 1.5},
        "timeouts": {"connect_s": 1, "first_byte_s": 2, "idle_s": 3, "total_s": 4},
    }


def test_create_embeds_model_definitions_and_policies(admin: Admin) -> None:
    primary = admin.model("main", provider="openai")
    backup = admin.model("backup", provider="anthropic")

    response = admin.post(PATH, full_body(primary["model_definition_id"], backup["model_definition_id"]))

    assert response.status_code == 201, response.text
    endpoint = response.json()
    first, second = endpoint["model_mappings"]
    assert first["model_definition"] == primary and first["weight"] == 3
    assert (second["linkage_type"], second["fallback_order"]) == ("FALLBACK", 1)
    assert second["model_definition"]["name"] == "backup"
    assert endpoint["tags"] == [{"key": "team", "value": "search"}, {"key": "beta", "value": ""}]
    assert endpoint["fallback_config"] == {"strategy": "SEQUENTIAL", "max_attempts": 2}
    assert endpoint["retry_policy"] == {"max_retries": 2, "max_retry_after_s": 1.5}
    assert endpoint["timeouts"]["total_s"] == 4
    assert endpoint["routing_strategy"] == "REQUEST_BASED_TRAFFIC_SPLIT"
    assert endpoint["bindings"] == [] and endpoint["created_by"] == "alice"


def test_read_shows_bindings_and_live_model_edits(admin: Admin) -> None:
    endpoint = admin.endpoint("chat")
    ident = endpoint["endpoint_id"]
    model_id = endpoint["model_mappings"][0]["model_definition"]["model_definition_id"]
    binding = {"endpoint_id": ident, "resource_type": "scorer", "resource_id": "s-1", "display_name": "tone"}
    assert admin.post("/api/v1/bindings", binding).status_code == 201
    admin.patch(f"/api/v1/model-definitions/{model_id}", {"model_name": "renamed"})

    fetched = admin.get(f"{PATH}/{ident}").json()
    listed = admin.get(PATH).json()["endpoints"][0]

    assert [b["display_name"] for b in fetched["bindings"]] == ["tone"]
    assert fetched["model_mappings"][0]["model_definition"]["model_name"] == "renamed"
    assert listed["bindings"] == fetched["bindings"]


def test_list_filters_by_name_provider_and_tag(admin: Admin) -> None:
    openai = admin.model("o", provider="openai")["model_definition_id"]
    mock = admin.model("m", provider="mock")["model_definition_id"]
    admin.endpoint("chat-a", openai, tags=[{"key": "team", "value": "a"}])
    admin.endpoint("chat-b", mock, tags=[{"key": "team", "value": "b"}])
    admin.endpoint("embed", mock)

    def names(**params: Any) -> list[str]:
        response = admin.get(PATH, **params)
        assert response.status_code == 200, response.text
        return sorted(e["name"] for e in response.json()["endpoints"])

    assert names(name="chat") == ["chat-a", "chat-b"]
    assert names(provider="mock") == ["chat-b", "embed"]
    assert names(tag="team") == ["chat-a", "chat-b"]
    assert names(tag="team=b") == ["chat-b"]
    assert names(tag="team=") == []
    assert names(name="chat", provider="openai") == ["chat-a"]


def test_list_paginates(admin: Admin) -> None:
    model = admin.model()["model_definition_id"]
    for i in range(5):
        admin.endpoint(f"e{i}", model)

    seen: list[str] = []
    token = None
    pages = 0
    while True:
        params: dict[str, Any] = {"max_results": 2} | ({"page_token": token} if token else {})
        page = admin.get(PATH, **params).json()
        seen += [e["name"] for e in page["endpoints"]]
        pages += 1
        token = page["next_page_token"]
        if token is None:
            break

    assert sorted(seen) == [f"e{i}" for i in range(5)] and pages == 3


def test_bad_pagination_is_400_naming_the_parameter(admin: Admin) -> None:
    for params, field in (({"max_results": 0}, "max_results"), ({"page_token": "!!"}, "page_token")):
        status, _, message = error_of(admin.get(PATH, **params))
        assert status == 400 and field in message


def test_patch_replaces_given_fields(admin: Admin) -> None:
    endpoint = admin.endpoint("chat", tags=[{"key": "a", "value": "1"}])
    path = f"{PATH}/{endpoint['endpoint_id']}"

    renamed = admin.patch(path, {"name": "talk", "tags": []}).json()
    retimed = admin.patch(path, {"timeouts": {"total_s": 30}}).json()

    assert (renamed["name"], renamed["tags"]) == ("talk", [])
    assert retimed["timeouts"] == {"connect_s": 10.0, "first_byte_s": 60.0, "idle_s": 20.0, "total_s": 30.0}
    assert retimed["name"] == "talk"


def test_invalid_endpoints_are_400_naming_the_field(admin: Admin) -> None:
    model = admin.model("m")["model_definition_id"]
    other = admin.model("n")["model_definition_id"]

    def body(**changes: Any) -> dict[str, Any]:
        return {"name": "chat", "model_mappings": [{"model_definition_id": model}]} | changes

    fallback = {"model_definition_id": other, "linkage_type": "FALLBACK", "fallback_order": 1}
    cases = [
        (body(model_mappings=[]), "model_mappings"),
        (body(model_mappings=[fallback]), "model_mappings"),
        (body(model_mappings=[{"model_definition_id": model, "weight": 0}]), "model_mappings.weight"),
        (body(model_mappings=[{"model_definition_id": model, "weight": "x"}]), "model_mappings[0].weight"),
        (body(model_mappings=[{"model_definition_id": "ghost"}]), "model_mappings.model_definition_id"),
        (body(model_mappings=[{"model_definition_id": model, "linkage_type": "SIDE"}]), "linkage_type"),
        (body(fallback_config={"max_attempts": 2}), "fallback_config"),
        (
            body(
                model_mappings=[{"model_definition_id": model}, fallback],
                fallback_config={"max_attempts": 5},
            ),
            "fallback_config.max_attempts",
        ),
        (
            body(
                model_mappings=[
                    {"model_definition_id": model},
                    fallback,
                    fallback | {"model_definition_id": model},
                ]
            ),
            "model_mappings.fallback_order",
        ),
        (body(name="has space"), "name"),
        (body(tags=[{"key": ""}]), "tags.key"),
        (body(retry_policy={"max_retries": 99}), "retry_policy.max_retries"),
        (body(timeouts={"total_s": -1}), "timeouts.total_s"),
        (body(routing="x"), "routing"),
    ]
    for request, field in cases:
        status, code, message = error_of(admin.post(PATH, request))
        assert (status, code) == (400, "INVALID_PARAMETER_VALUE"), (request, message)
        assert field in message, (field, message)


def test_a_taken_name_is_409(admin: Admin) -> None:
    model = admin.model()["model_definition_id"]
    admin.endpoint("chat", model)
    response = admin.post(PATH, {"name": "chat", "model_mappings": [{"model_definition_id": model}]})
    assert error_of(response)[:2] == (409, "RESOURCE_ALREADY_EXISTS")


def test_delete_with_bindings_is_409_naming_them_unless_forced(admin: Admin) -> None:
    ident = admin.endpoint("chat")["endpoint_id"]
    binding = {"endpoint_id": ident, "resource_type": "scorer", "resource_id": "s-1", "display_name": "tone"}
    admin.post("/api/v1/bindings", binding)

    status, code, message = error_of(admin.delete(f"{PATH}/{ident}"))
    assert (status, code) == (409, "RESOURCE_HAS_DEPENDENTS") and "tone" in message

    assert admin.delete(f"{PATH}/{ident}", force="true").status_code == 204
    assert error_of(admin.get(f"{PATH}/{ident}"))[0] == 404
    assert admin.get("/api/v1/bindings", resource_type="scorer", resource_id="s-1").json()["bindings"] == []


def test_unknown_id_is_404(admin: Admin) -> None:
    for response in (
        admin.get(f"{PATH}/nope"),
        admin.patch(f"{PATH}/nope", {}),
        admin.delete(f"{PATH}/nope"),
    ):
        assert error_of(response)[:2] == (404, "RESOURCE_DOES_NOT_EXIST")
