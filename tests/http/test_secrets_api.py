"""/api/v1/secrets: a secret value goes in and never appears in any answer."""

from __future__ import annotations

from typing import Any

from tests.http.conftest import Admin, error_of

PATH = "/api/v1/secrets"
VALUE = "sk-live-0123456789abcdefWXYZ"
NEW_VALUE = "sk-live-rotated-9876543210zz"


class Recorder(Admin):
    """Remembers every answer, so a test can check that none of them leaks the value."""

    def __init__(self, admin: Admin) -> None:
        super().__init__(admin.client, admin.headers["Authorization"].split(" ", 1)[1])
        self.answers: list[str] = []

    def _keep(self, response: Any) -> Any:
        self.answers.append(response.text)
        return response

    def get(self, path: str, **params: Any) -> Any:
        return self._keep(super().get(path, **params))

    def post(self, path: str, body: Any) -> Any:
        return self._keep(super().post(path, body))

    def patch(self, path: str, body: Any) -> Any:
        return self._keep(super().patch(path, body))

    def delete(self, path: str, **params: Any) -> Any:
        return self._keep(super().delete(path, **params))


def test_no_answer_ever_contains_the_value(admin: Admin) -> None:
    api = Recorder(admin)
    created = api.post(PATH, {"name": "openai", "value": VALUE, "provider": "openai"})
    assert created.status_code == 201, created.text
    ident = created.json()["secret_id"]

    api.get(PATH)
    api.get(f"{PATH}/{ident}")
    api.patch(f"{PATH}/{ident}", {"value": NEW_VALUE})
    api.post(PATH, {"name": "openai", "value": VALUE})  # 409
    api.post(PATH, {"name": "x", "value": VALUE, "extra": VALUE})  # 400
    api.post(PATH, {"name": "", "value": VALUE})  # 400
    api.patch(f"{PATH}/{ident}", {"value": VALUE * 5000})  # too long
    api.model("gpt", secret_id=ident)
    api.get("/api/v1/model-definitions")
    api.delete(f"{PATH}/{ident}")  # 409

    for answer in api.answers:
        for secret in (VALUE, NEW_VALUE, VALUE[3:-4], NEW_VALUE[3:-4]):
            assert secret not in answer


def test_a_secret_is_shown_masked_with_its_settings(admin: Admin) -> None:
    body = {"name": "azure", "value": VALUE, "provider": "azure_openai", "auth_config": {"api_version": "v1"}}
    created = admin.post(PATH, body).json()

    assert created["masked_value"] == "sk-...WXYZ"
    assert (created["provider"], created["auth_config"]) == ("azure_openai", {"api_version": "v1"})
    assert created["created_by"] == "alice"
    assert admin.get(f"{PATH}/{created['secret_id']}").json() == created


def test_updating_the_value_changes_the_mask_only(admin: Admin) -> None:
    ident = admin.post(PATH, {"name": "k", "value": VALUE}).json()["secret_id"]

    updated = admin.patch(f"{PATH}/{ident}", {"value": NEW_VALUE}).json()
    renamed = admin.patch(f"{PATH}/{ident}", {"name": "k2", "provider": None}).json()

    assert updated["masked_value"] == "sk-...10zz"
    assert (renamed["name"], renamed["masked_value"]) == ("k2", updated["masked_value"])


def test_list_paginates(admin: Admin) -> None:
    for i in range(3):
        admin.post(PATH, {"name": f"s{i}", "value": VALUE})

    first = admin.get(PATH, max_results=2).json()
    rest = admin.get(PATH, page_token=first["next_page_token"]).json()

    assert sorted(s["name"] for s in first["secrets"] + rest["secrets"]) == ["s0", "s1", "s2"]


def test_delete_in_use_is_409_naming_the_model_unless_forced_which_orphans_it(admin: Admin) -> None:
    ident = admin.post(PATH, {"name": "k", "value": VALUE}).json()["secret_id"]
    model = admin.model("gpt", secret_id=ident)
    assert model["secret_name"] == "k"

    status, code, message = error_of(admin.delete(f"{PATH}/{ident}"))
    assert (status, code) == (409, "RESOURCE_HAS_DEPENDENTS") and "gpt" in message

    assert admin.delete(f"{PATH}/{ident}", force="true").status_code == 204
    orphan = admin.get(f"/api/v1/model-definitions/{model['model_definition_id']}").json()
    assert (orphan["secret_id"], orphan["orphaned"]) == (None, True)
    assert error_of(admin.get(f"{PATH}/{ident}"))[0] == 404


def test_secret_errors_name_the_field(admin: Admin) -> None:
    cases = [
        ({"name": "k"}, "value"),
        ({"name": "k", "value": ""}, "value"),
        ({"name": "k", "value": 42}, "value"),
        ({"name": "", "value": VALUE}, "name"),
        ({"name": "k", "value": VALUE, "auth_config": []}, "auth_config"),
    ]
    for body, field in cases:
        status, _, message = error_of(admin.post(PATH, body))
        assert status == 400 and field in message, (body, message)
    admin.post(PATH, {"name": "k", "value": VALUE})
    assert error_of(admin.post(PATH, {"name": "k", "value": VALUE}))[:2] == (409, "RESOURCE_ALREADY_EXISTS")
    for response in (
        admin.get(f"{PATH}/nope"),
        admin.patch(f"{PATH}/nope", {}),
        admin.delete(f"{PATH}/nope"),
    ):
        assert error_of(response)[0] == 404
