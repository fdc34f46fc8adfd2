"""Reading the config file: what it accepts, and errors that point at the offending line's path."""

from __future__ import annotations

import pytest

from apps.config import ConfigError, load_document
from apps.config.document import DEFAULT_TIMEOUTS


def test_a_full_file_is_read_into_entries() -> None:
    document = load_document(
        """
secrets:
  - {name: openai, value_env: OPENAI_API_KEY, provider: openai, auth_config: {org: x}}
model_definitions:
  - {name: gpt, provider: openai, model_name: gpt-4o, secret: openai, provider_settings: {temperature: 0}}
endpoints:
  - name: chat
    model_mappings:
      - {model: gpt, weight: 3}
      - {model: gpt-backup, fallback_order: 1}
    tags: {team: search, tier: ""}
    fallback_config: {max_attempts: 2}
    timeouts: {idle_s: 5}
    limits: [{renewal_period: minute, calls: 100}]
"""
    )
    assert document.secrets is not None and document.secrets[0].value_env == "OPENAI_API_KEY"
    assert document.model_definitions is not None and document.model_definitions[0].secret == "openai"
    assert document.endpoints is not None
    chat = document.endpoints[0]
    assert [(m.model, m.weight, m.linkage_type, m.fallback_order) for m in chat.model_mappings] == [
        ("gpt", 3.0, "PRIMARY", None),
        ("gpt-backup", 1.0, "FALLBACK", 1),
    ]
    assert chat.tags == (("team", "search"), ("tier", ""))
    assert chat.timeouts == {**DEFAULT_TIMEOUTS, "idle_s": 5.0}
    assert chat.limits == ({"renewal_period": "minute", "calls": 100, "tokens": None, "key": "endpoint"},)


def test_absent_sections_and_limits_are_not_managed() -> None:
    document = load_document("endpoints:\n  - {name: chat, model_mappings: [{model: gpt}]}\n")
    assert document.secrets is None and document.model_definitions is None
    assert document.endpoints is not None and document.endpoints[0].limits is None
    assert load_document("").endpoints is None
    emptied = load_document("endpoints:\n  - {name: chat, model_mappings: [{model: gpt}], limits: []}\n")
    assert emptied.endpoints is not None and emptied.endpoints[0].limits == ()


def test_tags_may_be_a_list_of_key_value_pairs() -> None:
    document = load_document(
        "endpoints:\n  - name: chat\n    model_mappings: [{model: gpt}]\n"
        "    tags: [{key: b, value: '2'}, {key: a}]\n"
    )
    assert document.endpoints is not None and document.endpoints[0].tags == (("a", ""), ("b", "2"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("endpoint: []", "the file: unknown key(s) endpoint"),
        ("secrets:\n  - {name: a}", "secrets[0].value_env: is required"),
        ("secrets:\n  - {name: a, value: sk-123, value_env: A}", "secrets[0]: unknown key(s) value"),
        ("model_definitions:\n  - {name: m, provider: p}", "model_definitions[0].model_name: is required"),
        ("endpoints:\n  - {name: e}", "endpoints[0].model_mappings: an endpoint needs at least one"),
        (
            "endpoints:\n  - {name: e, model_mappings: [{model: m, weight: lots}]}",
            "model_mappings[0].weight: must be a number",
        ),
        (
            "endpoints:\n  - {name: e, model_mappings: [{model: m}], timeouts: {idle: 1}}",
            "endpoints[0].timeouts: unknown key(s) idle",
        ),
        (
            "endpoints:\n  - {name: e, model_mappings: [{model: m}], limits: [{calls: 1, per: day}]}",
            "limits[0]: unknown key(s) per",
        ),
        (
            "model_definitions:\n  - {name: m, provider: p, model_name: x}\n"
            "  - {name: m, provider: p, model_name: y}",
            "model_definitions: the name(s) m appear more than once",
        ),
        ("endpoints: {name: e}", "endpoints: must be a list"),
        (
            "endpoints:\n  - {name: e, model_mappings: [{model: m}], retry_policy: {max_retries: 1.5}}",
            "endpoints[0].retry_policy.max_retries: must be a whole number",
        ),
        ("secrets: [", "not valid YAML"),
    ],
)
def test_errors_name_the_path(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as failed:
        load_document(text)
    assert message in str(failed.value)


def test_an_error_never_repeats_a_value_it_rejects() -> None:
    with pytest.raises(ConfigError) as failed:
        load_document("secrets:\n  - {name: a, value_env: A, value: sk-do-not-echo}\n")
    assert "sk-do-not-echo" not in str(failed.value)
