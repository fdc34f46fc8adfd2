"""/api/v1/model-definitions through Litestar's test client."""

from __future__ import annotations

from tests.http.conftest import Admin, error_of

PATH = "/api/v1/model-definitions"


def test_create_then_read_back(admin: Admin) -> None:
    created = admin.model(
        "gpt", provider="openai", api_base="https://llm.example", provider_settings={"t": 1}
    )

    fetched = admin.get(f"{PATH}/{created['model_definition_id']}").json()

    assert fetched == created
    assert fetched["provider_settings"] == {"t": 1}
    assert fetched["secret_id"] is None and fetched["orphaned"] is False


def test_list_pages_and_filters_by_provider(admin: Admin) -> None:
    for name in ("a", "b", "c"):
        admin.model(name, provider="mock")
    admin.model("d", provider="openai")

    first = admin.get(PATH, max_results=2).json()
    second = admin.get(PATH, max_results=2, page_token=first["next_page_token"]).json()
    mocks = admin.get(PATH, provider="mock").json()

    names = [m["name"] for m in first["model_definitions"] + second["model_definitions"]]
    assert sorted(names) == ["a", "b", "c", "d"]
    assert second["next_page_token"] is None
    assert sorted(m["name"] for m in mocks["model_definitions"]) == ["a", "b", "c"]


def test_patch_changes_only_what_is_given(admin: Admin) -> None:
    created = admin.model("gpt", api_base="https://llm.example")
    path = f"{PATH}/{created['model_definition_id']}"

    updated = admin.patch(path, {"model_name": "gpt-4o"}).json()
    cleared = admin.patch(path, {"api_base": None}).json()

    assert (updated["model_name"], updated["api_base"]) == ("gpt-4o", "https://llm.example")
    assert (cleared["model_name"], cleared["api_base"]) == ("gpt-4o", None)


def test_bad_fields_are_400_naming_the_field(admin: Admin) -> None:
    cases = [
        ({"name": "x", "provider": "mock", "model_name": "m", "api_base": "ftp://x"}, "api_base"),
        ({"name": "", "provider": "mock", "model_name": "m"}, "name"),
        ({"name": "x", "provider": "mock"}, "model_name"),
        ({"name": "x", "provider": 3, "model_name": "m"}, "provider"),
        ({"name": "x", "provider": "mock", "model_name": "m", "colour": "red"}, "colour"),
        ({"name": "x", "provider": "mock", "model_name": "m", "secret_id": "nope"}, "secret_id"),
    ]
    for body, field in cases:
        status, code, message = error_of(admin.post(PATH, body))
        assert (status, code) == (400, "INVALID_PARAMETER_VALUE"), body
        assert field in message, (body, message)


def test_a_taken_name_is_409(admin: Admin) -> None:
    admin.model("gpt")
    status, code, message = error_of(admin.post(PATH, {"name": "gpt", "provider": "mock", "model_name": "m"}))
    assert (status, code) == (409, "RESOURCE_ALREADY_EXISTS") and "gpt" in message


def test_unknown_id_is_404(admin: Admin) -> None:
    for response in (
        admin.get(f"{PATH}/nope"),
        admin.patch(f"{PATH}/nope", {}),
        admin.delete(f"{PATH}/nope"),
    ):
        assert error_of(response)[:2] == (404, "RESOURCE_DOES_NOT_EXIST")


def test_delete_in_use_is_409_naming_the_endpoints_unless_forced(admin: Admin) -> None:
    keep = admin.model("keep")["model_definition_id"]
    drop = admin.model("drop")["model_definition_id"]
    endpoint = admin.endpoint("chat", keep, drop)

    status, code, message = error_of(admin.delete(f"{PATH}/{drop}"))
    assert (status, code) == (409, "RESOURCE_HAS_DEPENDENTS") and "chat" in message

    assert admin.delete(f"{PATH}/{drop}", force="true").status_code == 204
    mappings = admin.get(f"/api/v1/endpoints/{endpoint['endpoint_id']}").json()["model_mappings"]
    assert [m["model_definition"]["name"] for m in mappings] == ["keep"]
    assert admin.get(f"{PATH}/{drop}").status_code == 404
