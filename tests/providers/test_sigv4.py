"""SigV4 signing checked against AWS's published Signature Version 4 test suite, and credential parsing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.providers.sigv4 import (
    AwsCredentials,
    CredentialsFormatError,
    parse_aws_credentials,
    sign_headers,
)

# The credentials, region, service and time of the AWS SigV4 test suite
# (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html).
SUITE = AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
SUITE_TIME = datetime(2015, 8, 30, 12, 36, 0, tzinfo=UTC)
SCOPE = "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"


def _sign(method: str, url: str, headers: dict[str, str] | None = None, body: bytes = b"") -> str:
    signed = sign_headers(
        method=method,
        url=url,
        headers=headers or {},
        body=body,
        credentials=SUITE,
        region="us-east-1",
        service="service",
        now=SUITE_TIME,
    )
    return signed["authorization"]


@pytest.mark.parametrize(
    ("name", "method", "url", "headers", "body", "expected"),
    [
        (
            "get-vanilla",
            "GET",
            "https://example.amazonaws.com/",
            {},
            b"",
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
        (
            "post-vanilla",
            "POST",
            "https://example.amazonaws.com/",
            {},
            b"",
            "SignedHeaders=host;x-amz-date, "
            "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        ),
        (
            "get-vanilla-query-order-key-case",
            "GET",
            "https://example.amazonaws.com/?Param2=value2&Param1=value1",
            {},
            b"",
            "SignedHeaders=host;x-amz-date, "
            "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        ),
        (
            "get-utf8",
            "GET",
            "https://example.amazonaws.com/\u1234",
            {},
            b"",
            "SignedHeaders=host;x-amz-date, "
            "Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
        ),
        (
            "post-x-www-form-urlencoded",
            "POST",
            "https://example.amazonaws.com/",
            {"Content-Type": "application/x-www-form-urlencoded"},
            b"Param1=value1",
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
        ),
    ],
)
def test_signature_matches_the_aws_test_suite(
    name: str, method: str, url: str, headers: dict[str, str], body: bytes, expected: str
) -> None:
    assert _sign(method, url, headers, body) == f"AWS4-HMAC-SHA256 {SCOPE}, {expected}", name


def test_signed_headers_carry_host_date_and_session_token() -> None:
    creds = AwsCredentials("AKID", "secret", "token-123")
    signed = sign_headers(
        method="POST",
        url="http://127.0.0.1:8123/model/m%3A0/converse",
        headers={"content-type": "application/json"},
        body=b"{}",
        credentials=creds,
        region="eu-west-1",
        service="bedrock",
        now=SUITE_TIME,
    )
    assert signed["host"] == "127.0.0.1:8123"
    assert signed["x-amz-date"] == "20150830T123600Z"
    assert signed["x-amz-security-token"] == "token-123"
    assert "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token," in signed["authorization"]
    assert "Credential=AKID/20150830/eu-west-1/bedrock/aws4_request" in signed["authorization"]


def test_default_port_is_left_out_of_the_host() -> None:
    signed = sign_headers(
        method="GET",
        url="https://bedrock-runtime.us-east-1.amazonaws.com:443/",
        headers={},
        body=b"",
        credentials=SUITE,
        region="us-east-1",
        service="bedrock",
        now=SUITE_TIME,
    )
    assert signed["host"] == "bedrock-runtime.us-east-1.amazonaws.com"


class TestCredentials:
    def test_json_with_session_token(self) -> None:
        creds = parse_aws_credentials(
            '{"aws_access_key_id": "AKID", "aws_secret_access_key": "s3cr3t", "aws_session_token": "tok"}'
        )
        assert creds == AwsCredentials("AKID", "s3cr3t", "tok")

    def test_colon_pair_and_triple(self) -> None:
        assert parse_aws_credentials("AKID:s3cr3t") == AwsCredentials("AKID", "s3cr3t")
        assert parse_aws_credentials("AKID:s3cr3t:tok") == AwsCredentials("AKID", "s3cr3t", "tok")

    @pytest.mark.parametrize(
        "value", ["", "onlyone", ":s3cr3t", "{not json", '{"aws_access_key_id": "A"}', "[]"]
    )
    def test_malformed_values_are_rejected_without_quoting_them(self, value: str) -> None:
        with pytest.raises(CredentialsFormatError) as caught:
            parse_aws_credentials(value)
        assert "s3cr3t" not in str(caught.value)

    def test_repr_hides_the_secret_and_token(self) -> None:
        text = repr(AwsCredentials("AKID", "s3cr3t", "tok"))
        assert "AKID" in text
        assert "s3cr3t" not in text
        assert "tok" not in text


# A Bedrock Converse request (model id with ':' percent-encoded in the path, so encoded again in
# the canonical URI), signed by botocore's SigV4Auth (botocore 1.43) at 2026-11-23T12:00:00Z:
# an independent implementation's answers for the exact shape of request the bedrock adapter sends.
BEDROCK_URL = "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse"
BEDROCK_BODY = b'{"messages":[{"role":"user","content":[{"text":"Hi"}]}]}'


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (
            None,
            "SignedHeaders=accept;content-type;host;x-amz-date, "
            "Signature=28ed1acf0b6463a5bfaadf6b2fca3aebefde622e8e7d97779cd260d54eed5b8d",
        ),
        (
            "session-token",
            "SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token, "
            "Signature=3dcfd595afe06aab749d4896b867f78cc5c9dd8fc917c43a12bf1673bc126a43",
        ),
    ],
)
def test_a_bedrock_request_signs_as_botocore_does(token: str | None, expected: str) -> None:
    signed = sign_headers(
        method="POST",
        url=BEDROCK_URL,
        headers={"content-type": "application/json", "accept": "application/json"},
        body=BEDROCK_BODY,
        credentials=AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token),
        region="us-east-1",
        service="bedrock",
        now=datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC),
    )
    scope = "Credential=AKIDEXAMPLE/20261123/us-east-1/bedrock/aws4_request"
    assert signed["authorization"] == f"AWS4-HMAC-SHA256 {scope}, {expected}"
