"""Every error under /api/ is JSON {"error", "detail"} with the right 4xx, never a 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


@pytest.fixture
def client_(api_as, administrator):
    return api_as(administrator)


def test_malformed_json_is_a_bad_request(client_):
    response = client_.post("/api/v1/channels", '{"type": ')
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_a_body_of_the_wrong_shape_names_the_fields(client_):
    response = client_.post("/api/v1/channels", [1, 2])
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid"
    assert {f["field"] for f in body["fields"]} == {"type", "name"}


def test_bad_query_parameters_are_invalid(client_):
    for params in ({"limit": "abc"}, {"limit": -1}, {"status": "archived"}, {"q": "x" * 300}):
        response = client_.get("/api/v1/conversations", **params)
        assert response.status_code == 422, params
        assert response.json()["error"] == "invalid"


def test_a_body_too_large_is_refused(client_):
    response = client_.post("/api/v1/channels", "x" * (5 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_a_wrong_method_is_not_allowed(client_):
    response = client_.client.delete("/api/v1/channels", headers=client_.headers)
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_an_unknown_api_path_is_not_found_in_json(client_):
    response = client_.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "not found"}


def test_unknown_conversation_keys_are_not_found(client_):
    for key in ("abc", "999999", "VT-2026-999999", "'; DROP TABLE x; --"):
        response = client_.get(f"/api/v1/conversations/{key}")
        assert response.status_code == 404, key


def test_nul_characters_are_refused_in_bodies_and_addresses(client_, webchat):
    body = client_.post("/api/v1/channels", '{"type": "webchat", "name": "a\\u0000b"}')
    assert body.status_code == 422 and "NUL" in body.json()["detail"]
    query = client_.get("/api/v1/channels", desk="a\x00b")
    assert query.status_code == 400 and query.json()["error"] == "bad_request"


def test_values_no_column_could_hold_are_refused(client_):
    cases = [
        client_.get("/api/v1/conversations", channel="not-a-uuid"),
        client_.get("/api/v1/conversations", offset=10**25),
        client_.get("/api/v1/conversations", limit=1000),
        client_.post(
            "/api/v1/desks/default/request-types",
            {"slug": "big", "name": "Big", "first_response_hours": 10**11},
        ),
        client_.post(
            "/api/v1/channels",
            {
                "type": "whatsapp",
                "name": "w",
                "config": {
                    "phone_number_id": "1" * 100,
                    "access_token": "a",
                    "app_secret": "b",
                    "verify_token": "c",
                },
            },
        ),
        client_.post(
            "/api/v1/channels",
            {
                "type": "webchat",
                "name": "w",
                "config": {"allowed_origins": ["https://x.example/" + "a" * 600]},
            },
        ),
    ]
    assert [response.status_code for response in cases] == [422] * len(cases)
    assert client_.get("/api/v1/conversations/" + "9" * 30).status_code == 404


@pytest.mark.parametrize(
    "body",
    ["[" * 5000 + "]" * 5000, '{"type": "webchat", "name": ' * 300 + "1" + "}" * 300],
)
def test_json_nested_too_deep_is_a_bad_request(client_, body):
    response = client_.post("/api/v1/channels", body)
    assert response.status_code == 400
    assert response.json() == {"error": "bad_request", "detail": "nested more than 64 levels deep"}


def test_a_lone_surrogate_in_a_reply_is_stored_as_a_replacement_character(
    api_as, agent, webchat, make_inbound
):
    from ventanilla.conversations.inbound import receive

    conversation = receive(channel=webchat, inbound=make_inbound()).message.conversation
    response = api_as(agent).post(
        f"/api/v1/conversations/{conversation.pk}/messages",
        '{"text": "Cita el lunes \\ud83d"}',
    )
    assert response.status_code == 201, response.content
    assert response.json()["text"] == "Cita el lunes \ufffd"
    assert conversation.messages.get(direction="out").text == "Cita el lunes \ufffd"


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=st.one_of(
        st.fixed_dictionaries(
            {"text": st.text(st.characters(exclude_categories=()), max_size=30) | st.none()},
            optional={"internal": st.booleans() | st.text(max_size=3)},
        ).map(lambda value: json.dumps(value).encode()),
        st.recursive(st.none() | st.integers() | st.text(max_size=5), st.lists, max_leaves=6).map(
            lambda value: json.dumps(value).encode()
        ),
        st.integers(1, 6000).map(lambda depth: b"[" * depth + b"]" * depth),
        st.binary(max_size=30),
    )
)
def test_any_body_posted_to_a_conversation_is_taken_or_refused_with_a_reason(
    api_as, agent, webchat, make_inbound, body
):
    """A reply's body, generated: lone surrogates, NUL, nesting, bytes that are not UTF-8."""
    from ventanilla.conversations.inbound import receive

    conversation = receive(channel=webchat, inbound=make_inbound()).message.conversation
    response = api_as(agent).post(f"/api/v1/conversations/{conversation.pk}/messages", body)
    assert response.status_code in (201, 400, 409, 422), response.content
    if response.status_code != 201:
        assert set(response.json()) >= {"error", "detail"}
