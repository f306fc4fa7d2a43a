"""The server's JSON logs (`--log-format json --log-level debug`) over a run that handles every
kind of secret, through the clients that send them: boto3 (sign-up with a client secret,
confirmation and forgot-password codes from the outbox, password sign-in, refresh, password
change, an authenticator app's codes, SMS MFA codes, Sessions), pycognito's SRP, managed
login in a cookie-keeping httpx browser, the token endpoint's code, refresh and
client_credentials grants with client secrets, and requests refused with their input echoed.
Then the whole log and /metrics are searched for every secret value used: none may appear.
Every line must parse as JSON, and every request's lines carry the id it was answered with.

SQLite only: the logs do not depend on the backend."""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pycognito.aws_srp import AWSSRP

from tests.codes_support import OUTBOX_FLAGS, last_code
from tests.conftest import Server, make_client, start_server
from tests.login_support import Browser, Site, location, query_of
from tests.mfa_support import authenticator_code, away_from_step_edge, mfa_pool, phone
from tests.signin_support import secret_hash, unique

TRIGGER = "arn:aws:lambda:us-east-1:123456789012:function:greeter"
SAID = "pre-sign-up ran for"
WROTE = "pre-sign-up wrote to fd 1 for"
HANDLER = f'''
import os

def handler(event, context):
    print("{SAID}", event["userName"])
    os.write(1, ("{WROTE} " + event["userName"] + "\\n").encode())  # read by another thread
    return event
'''
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
TARGET = "AWSCognitoIdentityProviderService."
JSON = "application/x-amz-json-1.1"
DIGITS = re.compile(r"\d+")


def password() -> str:
    return f"Pw-{uuid.uuid4().hex}!A1"


@dataclass
class Run:
    """What the run used that must never be logged, and each API answer's request id."""

    server: Server
    secrets: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)  # short: compared as whole numbers
    answered: list[tuple[str, str, int]] = field(default_factory=list)  # id, operation, status
    outside: list[tuple[str, str, int]] = field(default_factory=list)  # id, path, status
    shown: set[str] = field(default_factory=set)  # plain values the log does carry

    def keep(self, *values: str | None) -> None:
        self.secrets.update(value for value in values if value)

    def seen(self, response: httpx.Response) -> httpx.Response:
        """An answer from outside the API (a pool domain's, the JWKS): its request id."""
        request_id = response.headers["x-amzn-RequestId"]
        if "/domains/" in response.request.url.path:  # also as Cognito's OAuth endpoints send it
            assert response.headers["x-amz-cognito-request-id"] == request_id
        else:
            assert "x-amz-cognito-request-id" not in response.headers
        self.outside.append((request_id, response.request.url.path, response.status_code))
        return response

    def tokens(self, result: dict[str, Any]) -> None:
        """The tokens of an AuthenticationResult, or of the token endpoint's answer."""
        names = ("AccessToken", "IdToken", "RefreshToken", "access_token", "id_token")
        self.keep(*(result.get(name) for name in (*names, "refresh_token")))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    data_dir = tmp_path_factory.mktemp("logs")
    (data_dir / "greeter.py").write_text(HANDLER)
    (data_dir / "triggers.json").write_text(json.dumps({TRIGGER: "python:./greeter.py#handler"}))
    flags = ("--log-level", "debug", "--log-format", "json", *OUTBOX_FLAGS)
    server = start_server(data_dir, *flags, "--triggers", str(data_dir / "triggers.json"))
    try:
        done = Run(server)
        cognito = make_client(server.url)
        done.keep("local-secret")  # the SigV4 secret boto3 signs with

        def answered(http_response: Any, model: Any, **_: Any) -> None:
            request_id = http_response.headers["x-amzn-RequestId"]
            done.answered.append((request_id, model.name, http_response.status_code))

        cognito.meta.events.register("after-call.cognito-idp", answered)
        api_flows(done, cognito)
        oauth_flows(done, cognito)
        refused_requests(done)
        yield done
    finally:
        server.stop()


def api_flows(run: Run, cognito: Any) -> None:
    pool_id = mfa_pool(
        cognito,
        factors=("SMS_MFA", "SOFTWARE_TOKEN_MFA"),
        AutoVerifiedAttributes=["email"],
        LambdaConfig={"PreSignUp": TRIGGER},
    )
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", GenerateSecret=True, ExplicitAuthFlows=FLOWS
    )["UserPoolClient"]
    client_id, secret = client["ClientId"], client["ClientSecret"]
    username, first, changed, reset = unique("logged"), password(), password(), password()
    run.keep(secret, first, changed, reset)
    run.shown.add(username)  # the trigger prints it
    hashed = secret_hash(secret, username, client_id)
    run.keep(hashed)
    email = [{"Name": "email", "Value": f"{username}@example.com"}]
    cognito.sign_up(
        ClientId=client_id,
        SecretHash=hashed,
        Username=username,
        Password=first,
        UserAttributes=email,
    )
    code = last_code(run.server, pool_id, username)
    run.codes.add(code)
    cognito.confirm_sign_up(
        ClientId=client_id, SecretHash=hashed, Username=username, ConfirmationCode=code
    )

    def sign_in(secret_word: str) -> dict[str, Any]:
        response = dict(
            cognito.initiate_auth(
                ClientId=client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={
                    "USERNAME": username,
                    "PASSWORD": secret_word,
                    "SECRET_HASH": hashed,
                },
            )
        )
        run.keep(response.get("Session"))
        run.tokens(response.get("AuthenticationResult", {}))
        return response

    tokens = sign_in(first)["AuthenticationResult"]
    srp = AWSSRP(username, first, pool_id, client_id, client=cognito, client_secret=secret)
    start = srp.get_auth_params()
    challenge = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=start
    )
    answer = srp.process_challenge(challenge["ChallengeParameters"], start)
    shown = challenge["ChallengeParameters"]
    run.keep(start["SRP_A"], hex(srp.small_a_value), shown["SRP_B"], shown["SECRET_BLOCK"])
    run.keep(shown["SALT"], answer["PASSWORD_CLAIM_SIGNATURE"], answer["SECRET_HASH"])
    run.keep(challenge.get("Session"))
    srp_tokens = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer
    )["AuthenticationResult"]
    run.tokens(srp_tokens)
    refreshed = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"], "SECRET_HASH": hashed},
    )["AuthenticationResult"]
    run.tokens(refreshed)
    cognito.change_password(
        PreviousPassword=first, ProposedPassword=changed, AccessToken=srp_tokens["AccessToken"]
    )
    cognito.forgot_password(ClientId=client_id, SecretHash=hashed, Username=username)
    code = last_code(run.server, pool_id, username)
    run.codes.add(code)
    cognito.confirm_forgot_password(
        ClientId=client_id,
        SecretHash=hashed,
        Username=username,
        ConfirmationCode=code,
        Password=reset,
    )
    access = sign_in(reset)["AuthenticationResult"]["AccessToken"]
    authenticator = cognito.associate_software_token(AccessToken=access)["SecretCode"]
    run.keep(authenticator)
    away_from_step_edge()
    setup_code = authenticator_code(authenticator, -1)
    cognito.verify_software_token(AccessToken=access, UserCode=setup_code)
    preferred = {"Enabled": True, "PreferredMfa": True}
    cognito.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings=preferred)
    asked = sign_in(reset)
    assert asked["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    mfa_code = authenticator_code(authenticator)
    run.codes.update((setup_code, mfa_code))
    run.tokens(
        cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=asked["Session"],
            ChallengeResponses={
                "USERNAME": username,
                "SOFTWARE_TOKEN_MFA_CODE": mfa_code,
                "SECRET_HASH": hashed,
            },
        )["AuthenticationResult"]
    )
    sms_sign_in(run, cognito, pool_id, client_id, secret)


def sms_sign_in(run: Run, cognito: Any, pool_id: str, client_id: str, secret: str) -> None:
    """An invited user (a temporary password, then their own), whose second factor is SMS."""
    username, temporary, chosen = unique("texted"), password(), password()
    run.keep(temporary, chosen)
    attributes = [
        {"Name": "phone_number", "Value": phone()},
        {"Name": "phone_number_verified", "Value": "true"},
    ]
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        TemporaryPassword=temporary,
        UserAttributes=attributes,
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=chosen, Permanent=True
    )
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id,
        Username=username,
        SMSMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    hashed = secret_hash(secret, username, client_id)
    asked = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": chosen, "SECRET_HASH": hashed},
    )
    assert asked["ChallengeName"] == "SMS_MFA"
    code = last_code(run.server, pool_id, username)
    run.codes.add(code)
    run.keep(hashed, asked["Session"])
    answers = {"USERNAME": username, "SMS_MFA_CODE": code, "SECRET_HASH": hashed}
    run.tokens(
        cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="SMS_MFA",
            Session=asked["Session"],
            ChallengeResponses=answers,
        )["AuthenticationResult"]
    )


def oauth_flows(run: Run, cognito: Any) -> None:
    """Managed login, then the token endpoint's grants, each with a client secret."""
    site = Site.make(run.server, cognito, secret=True)
    word = password()
    run.keep(site.client_secret, word)
    username = site.user(word)
    browser = Browser()
    run.seen(browser.get(site.authorize_url()))
    page = site.login_page(browser)
    back = location(run.seen(browser.submit(page, username=username, password=word)))
    code = query_of(back)["code"]
    run.keep(code, *(cookie.value for cookie in browser.client.cookies.jar))
    browser.close()
    basic = base64.b64encode(f"{site.client_id}:{site.client_secret}".encode()).decode()
    run.keep(basic)
    exchanged = run.seen(site.exchange(code))
    assert exchanged.status_code == 200, exchanged.text
    run.tokens(exchanged.json())
    grant = {"grant_type": "refresh_token", "refresh_token": exchanged.json()["refresh_token"]}
    refreshed = run.seen(
        httpx.post(
            site.token_endpoint,
            data=grant,
            auth=(site.client_id, site.client_secret or ""),
            timeout=10,
        )
    )
    assert refreshed.status_code == 200, refreshed.text
    run.tokens(refreshed.json())
    scopes = [{"ScopeName": "read", "ScopeDescription": "r"}]
    cognito.create_resource_server(
        UserPoolId=site.pool_id, Identifier="api", Name="API", Scopes=scopes
    )
    machine = cognito.create_user_pool_client(
        UserPoolId=site.pool_id,
        ClientName="machine",
        GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["api/read"],
        AllowedOAuthFlowsUserPoolClient=True,
    )["UserPoolClient"]
    run.keep(machine["ClientSecret"])
    form = {
        "grant_type": "client_credentials",
        "client_id": machine["ClientId"],
        "client_secret": machine["ClientSecret"],
    }
    granted = httpx.post(site.token_endpoint, data=form, timeout=10)
    assert granted.status_code == 200, granted.text
    run.keep(granted.json()["access_token"])
    run.seen(httpx.get(f"{run.server.url}/{site.pool_id}/.well-known/jwks.json", timeout=10))


def refused_requests(run: Run) -> None:
    """Requests whose refusals echo what they were sent, and one that is not JSON at all."""

    def post(operation: str, body: bytes) -> httpx.Response:
        headers = {"x-amz-target": TARGET + operation, "content-type": JSON}
        response = httpx.post(f"{run.server.url}/", content=body, headers=headers, timeout=10)
        run.answered.append((response.headers["x-amzn-RequestId"], operation, 400))
        return response

    marker = f"echo-{uuid.uuid4().hex}"
    run.keep(marker)
    body = {"ClientId": "x" * 26, "AuthFlow": marker, "AuthParameters": {"PASSWORD": marker}}
    echoed = post("InitiateAuth", json.dumps(body).encode())
    assert echoed.status_code == 400
    assert marker in echoed.text  # the refusal quotes the value: the log must not
    broken = password()
    run.keep(broken)
    assert post("SignUp", b'{"Password": "' + broken.encode() + b'", ').status_code == 400
    wrong = password()
    run.keep(wrong)
    body = {"ClientId": "x" * 26, "AuthFlow": "USER_PASSWORD_AUTH"}
    body["AuthParameters"] = {"USERNAME": "nobody", "PASSWORD": wrong}  # type: ignore[assignment]
    assert post("InitiateAuth", json.dumps(body).encode()).status_code == 400


def lines_of(run: Run) -> list[dict[str, Any]]:
    return [json.loads(line) for line in run.server.log.read_text().splitlines()]


def test_no_secret_reaches_a_log_line_or_a_metric_label(run: Run) -> None:
    log = run.server.log.read_text()
    metrics = httpx.get(f"{run.server.url}/metrics", timeout=10).text
    assert len(run.secrets) > 40 and len(run.codes) >= 5
    short = [value for value in run.secrets if len(value) < 8]
    assert not short, short  # a secret this short would be found by chance
    for secret in run.secrets:
        assert secret not in log, f"logged: {secret[:12]}..."
        assert secret not in metrics, f"in /metrics: {secret[:12]}..."
    # Codes are six digits: compared with the numbers in the lines, ids and times aside.
    numbers = set()
    for line in lines_of(run):
        rest = {k: v for k, v in line.items() if k not in ("time", "request_id")}
        numbers.update(DIGITS.findall(json.dumps(rest)))
    numbers.update(DIGITS.findall(metrics))
    assert not run.codes & numbers
    for plain in run.shown:  # the search sees the log: what may be logged is found
        assert plain in log


def test_every_line_is_json_and_a_request_s_lines_carry_its_id(run: Run) -> None:
    lines = lines_of(run)
    assert lines[0]["message"].startswith("userpool listening on")
    for line in lines:
        assert {"time", "level", "logger", "message"} <= set(line), line
    access = {}
    for line in lines:
        if line["logger"] == "userpool.access":
            assert line["request_id"] not in access, "one access line a request"
            access[line["request_id"]] = line
    assert len(run.answered) > 30
    for request_id, operation, status in run.answered:
        line = access[request_id]  # the id the answer carried (x-amzn-RequestId)
        assert (line["operation"], line["status"]) == (operation, status)
        assert line["method"] == "POST" and line["path"] == "/"
        assert 0 < line["duration_ms"] < 60_000
    domain = [line for line in access.values() if line["operation"].startswith("domain ")]
    assert {"domain /login", "domain /oauth2/token"} <= {line["operation"] for line in domain}
    # Answers outside the API carry their id too (x-amzn-RequestId), the one their lines have.
    assert len(run.outside) == 5
    for request_id, path, status in run.outside:
        line = access[request_id]
        assert (line["path"], line["status"]) == (path, status)
    # The trigger's own output, logged while SignUp was served, carries SignUp's id: what it
    # prints, and what it writes straight to its stdout (read on a thread of the server's).
    sign_up = [request_id for request_id, operation, _ in run.answered if operation == "SignUp"]
    for message in (SAID, WROTE):
        said = [
            line for line in lines if line["message"].endswith(f"{message} {next(iter(run.shown))}")
        ]
        assert len(said) == 1, said
        assert said[0]["request_id"] == sign_up[0]
        assert said[0]["logger"] == "userpool.triggers.console"
