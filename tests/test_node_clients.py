"""Real JavaScript clients against a running server: @aws-sdk/client-cognito-identity-provider
v3, aws-jwt-verify, Amplify v6 and amazon-cognito-identity-js (pinned in tests/node).

Each test prepares pools and users with boto3, runs `node tests/node/<script>.mjs --option
value ...`, and asserts on the one JSON line the script prints (see tests/node/lib.mjs).
The scripts refuse every non-loopback connection and report any attempt in `blocked`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import Server, error_of, make_client, start_server

pytestmark = pytest.mark.one_backend  # wire compatibility: SQLite only (conftest)

NODE_DIR = Path(__file__).resolve().parent / "node"
INSTALL = "npm ci --prefix tests/node"

# Sign-in flows the Amplify and identity-js scripts are run with (USER_SRP_AUTH is both
# libraries' default; tests/test_node_srp.py runs them without a flow).
PASSWORD_FLOWS = ["USER_PASSWORD_AUTH", "USER_SRP_AUTH"]

AUTH_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
REVOKED = ("NotAuthorizedException", "Access Token has been revoked")

NodeRunner = Callable[..., dict[str, Any]]


def node_setup_problem(node_dir: Path = NODE_DIR) -> str | None:
    """Why the pinned Node clients cannot run, or None when they can."""
    if shutil.which("node") is None:
        return "node is not on PATH"
    pins = json.loads((node_dir / "package.json").read_text())["dependencies"]
    for name, pinned in pins.items():
        manifest = node_dir / "node_modules" / name / "package.json"
        if not manifest.exists():
            return f"{name} is not installed in {node_dir / 'node_modules'}"
        installed = json.loads(manifest.read_text())["version"]
        if installed != pinned:
            return f"{name} {installed} is installed but package.json pins {pinned}"
    return None


def run_node(script: str, **options: str) -> dict[str, Any]:
    """Run one script with `--name value` options; its parsed output, asserted successful."""
    command = ["node", str(NODE_DIR / script)]
    for name, value in options.items():
        command.append(f"--{name.replace('_', '-')}={value}")  # a value may start with "-"
    done = subprocess.run(
        command, cwd=NODE_DIR, capture_output=True, text=True, timeout=90, check=False
    )
    lines = done.stdout.strip().splitlines()
    assert lines, f"{script} printed nothing (exit {done.returncode}):\n{done.stderr}"
    output: dict[str, Any] = json.loads(lines[-1])
    assert output["blocked"] == [], f"{script} tried to leave localhost: {output['blocked']}"
    assert done.returncode == 0 and output["ok"], (
        f"{script} failed: {json.dumps(output.get('error'), indent=1)}\n"
        f"calls: {output['calls']}\nstderr:\n{done.stderr[-3000:]}"
    )
    return output


def node_runner() -> NodeRunner:
    """`run_node`, once the pinned clients are there: otherwise skip (fail under CI)."""
    problem = node_setup_problem()
    if problem is not None:
        message = f"Node clients unavailable: {problem}; install them with `{INSTALL}`"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return run_node


@pytest.fixture(scope="module")
def node() -> NodeRunner:
    return node_runner()


@dataclass
class App:
    """A pool with a public app client, on one server."""

    url: str
    cognito: Any
    pool_id: str
    client_id: str

    def user(self, *, temporary: bool = False, **attributes: str) -> tuple[str, str]:
        """A new user and its password: CONFIRMED, or FORCE_CHANGE_PASSWORD if temporary."""
        username = f"user-{uuid.uuid4().hex[:8]}"
        password = f"Passw0rd!{uuid.uuid4().hex[:6]}"
        self.cognito.admin_create_user(
            UserPoolId=self.pool_id,
            Username=username,
            TemporaryPassword=password,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
        )
        if not temporary:
            self.cognito.admin_set_user_password(
                UserPoolId=self.pool_id, Username=username, Password=password, Permanent=True
            )
        return username, password

    def sign_in(self, username: str, password: str) -> dict[str, Any]:
        """AuthenticationResult of InitiateAuth USER_PASSWORD_AUTH, through boto3."""
        response = self.cognito.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            ClientId=self.client_id,
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
        result: dict[str, Any] = response["AuthenticationResult"]
        return result

    def options(self, **extra: str) -> dict[str, str]:
        """The options every client script takes, plus `extra`."""
        return {
            "endpoint": self.url,
            "pool_id": self.pool_id,
            "client_id": self.client_id,
            **extra,
        }

    def get_user_error(self, access_token: str) -> tuple[str, str]:
        with pytest.raises(ClientError) as excinfo:
            self.cognito.get_user(AccessToken=access_token)
        return error_of(excinfo)


def sign_in_steps(flow: str) -> list[str]:
    """The requests a client library makes to sign in with `flow` (as lib.mjs records them)."""
    if flow == "USER_SRP_AUTH":
        return ["InitiateAuth USER_SRP_AUTH", "RespondToAuthChallenge PASSWORD_VERIFIER"]
    return [f"InitiateAuth {flow}"]


def new_app(url: str, cognito: Any) -> App:
    pool_id = cognito.create_user_pool(PoolName=f"node-{uuid.uuid4().hex[:8]}")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="node", ExplicitAuthFlows=AUTH_FLOWS
    )["UserPoolClient"]
    return App(url, cognito, pool_id, client["ClientId"])


@pytest.fixture
def app(server: Server, cognito: Any) -> App:
    return new_app(server.url, cognito)


@pytest.fixture(scope="module")
def aws_issuer_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("aws-issuer"), "--issuer", "aws")
    yield running
    running.stop()


def test_node_setup_problem_names_what_is_missing(tmp_path: Path) -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not on PATH")
    shutil.copy(NODE_DIR / "package.json", tmp_path / "package.json")
    assert "is not installed" in str(node_setup_problem(tmp_path))


def test_sdk_v3_admin_calls_and_password_sign_in(node: NodeRunner, app: App) -> None:
    username, password = app.user(email="sdk@example.com")
    result = node("sdk_v3.mjs", **app.options(username=username, password=password))["result"]

    assert app.pool_id in result["poolIds"]
    assert result["adminGetUser"]["username"] == username
    assert result["adminGetUser"]["status"] == "CONFIRMED"
    assert result["adminGetUser"]["enabled"] is True
    assert result["adminGetUser"]["created"] is True
    assert result["adminGetUser"]["attributes"]["email"] == "sdk@example.com"

    signed_in = result["signIn"]
    assert signed_in["tokenType"] == "Bearer"
    assert signed_in["expiresIn"] == 3600
    assert signed_in["hasRefreshToken"] is True
    assert signed_in["idClaims"]["token_use"] == "id"
    assert signed_in["idClaims"]["aud"] == app.client_id
    assert signed_in["idClaims"]["cognito:username"] == username
    assert signed_in["accessClaims"]["token_use"] == "access"
    assert signed_in["accessClaims"]["client_id"] == app.client_id
    assert result["getUser"]["username"] == username
    assert result["getUser"]["attributes"]["email"] == "sdk@example.com"

    for refreshed in (result["refreshTokenAuth"], result["getTokensFromRefreshToken"]):
        assert refreshed["hasRefreshToken"] is False  # rotation is off on this client
        assert refreshed["accessClaims"]["jti"] != signed_in["accessClaims"]["jti"]
        assert refreshed["accessClaims"]["auth_time"] == signed_in["accessClaims"]["auth_time"]
        assert refreshed["idClaims"]["sub"] == signed_in["idClaims"]["sub"]

    # The SDK parsed the error envelope into its typed exceptions.
    assert result["wrongPassword"]["name"] == "NotAuthorizedException"
    assert result["wrongPassword"]["message"] == "Incorrect username or password."
    assert result["wrongPassword"]["status"] == 400
    assert result["unknownPool"]["name"] == "ResourceNotFoundException"

    # Tokens obtained by the JavaScript SDK work for boto3 too.
    me = app.cognito.get_user(AccessToken=signed_in["accessToken"])
    assert me["Username"] == username


def test_jwt_verify_generic_verifier_fetches_the_server_jwks(node: NodeRunner, app: App) -> None:
    tokens = app.sign_in(*app.user())
    issuer = f"{app.url}/{app.pool_id}"
    result = node(
        "jwt_verify.mjs",
        mode="url",
        issuer=issuer,
        jwks_uri=f"{issuer}/.well-known/jwks.json",
        client_id=app.client_id,
        id_token=tokens["IdToken"],
        access_token=tokens["AccessToken"],
    )["result"]

    assert result["id"]["token_use"] == "id"
    assert result["id"]["aud"] == app.client_id
    assert result["id"]["iss"] == issuer
    assert result["access"]["token_use"] == "access"
    assert result["access"]["client_id"] == app.client_id
    rejected = result["rejected"]
    assert rejected["tamperedId"]["type"] == "JwtInvalidSignatureError"
    assert rejected["tamperedAccess"]["type"] == "JwtInvalidSignatureError"
    assert rejected["accessAsId"] is not None  # no `aud` in an access token
    assert rejected["idAsAccess"]["type"] == "CognitoJwtInvalidTokenUseError"
    assert rejected["otherClient"]["type"] == "CognitoJwtInvalidClientIdError"


def test_cognito_jwt_verifier_with_aws_issuer(node: NodeRunner, aws_issuer_server: Server) -> None:
    app = new_app(aws_issuer_server.url, make_client(aws_issuer_server.url))
    tokens = app.sign_in(*app.user())
    jwks = httpx.get(f"{app.url}/{app.pool_id}/.well-known/jwks.json").raise_for_status().text
    result = node(
        "jwt_verify.mjs",
        mode="aws",
        pool_id=app.pool_id,
        jwks=jwks,
        client_id=app.client_id,
        id_token=tokens["IdToken"],
        access_token=tokens["AccessToken"],
    )["result"]

    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{app.pool_id}"
    assert result["issuer"] == issuer
    assert result["id"]["iss"] == issuer
    assert result["id"]["aud"] == app.client_id
    assert result["idSync"]["jti"] == result["id"]["jti"]
    assert result["access"]["client_id"] == app.client_id
    rejected = result["rejected"]
    assert rejected["tamperedId"]["type"] == "JwtInvalidSignatureError"
    assert rejected["tamperedAccess"]["type"] == "JwtInvalidSignatureError"
    assert rejected["accessAsId"]["type"] == "CognitoJwtInvalidTokenUseError"
    assert rejected["idAsAccess"]["type"] == "CognitoJwtInvalidTokenUseError"
    assert rejected["otherClient"]["type"] == "CognitoJwtInvalidClientIdError"


@pytest.mark.parametrize("flow", PASSWORD_FLOWS)
def test_amplify_sign_in_refresh_and_global_sign_out(node: NodeRunner, app: App, flow: str) -> None:
    username, password = app.user(email="amplify@example.com", email_verified="true")
    output = node(
        "amplify.mjs",
        **app.options(scenario="sign-in", flow=flow, username=username, password=password),
    )
    result = output["result"]

    assert result["signIn"] == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    first = result["first"]
    assert result["currentUser"]["username"] == username
    assert result["currentUser"]["userId"] == first["idClaims"]["sub"]
    assert first["idClaims"]["cognito:username"] == username
    assert first["idClaims"]["email"] == "amplify@example.com"
    assert first["idClaims"]["email_verified"] is True
    assert first["accessClaims"]["client_id"] == app.client_id
    assert result["cachedIsSame"] is True

    refreshed = result["refreshed"]
    assert refreshed["accessToken"] != first["accessToken"]
    assert refreshed["accessClaims"]["auth_time"] == first["accessClaims"]["auth_time"]
    assert refreshed["idClaims"]["sub"] == first["idClaims"]["sub"]
    # Amplify 6.22 refreshes with GetTokensFromRefreshToken, not REFRESH_TOKEN_AUTH.
    assert output["steps"] == [*sign_in_steps(flow), "GetTokensFromRefreshToken", "GlobalSignOut"]

    assert result["afterSignOut"] is None
    assert app.get_user_error(first["accessToken"]) == REVOKED
    assert app.get_user_error(refreshed["accessToken"]) == REVOKED


@pytest.mark.parametrize("flow", PASSWORD_FLOWS)
def test_amplify_new_password_required(node: NodeRunner, app: App, flow: str) -> None:
    username, temporary = app.user(temporary=True)
    new_password = f"N3w-{uuid.uuid4().hex[:10]}"
    output = node(
        "amplify.mjs",
        **app.options(
            scenario="new-password",
            flow=flow,
            username=username,
            password=temporary,
            new_password=new_password,
        ),
    )
    result = output["result"]

    assert result["signIn"]["isSignedIn"] is False
    next_step = result["signIn"]["nextStep"]
    assert next_step["signInStep"] == "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
    assert result["confirmSignIn"] == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    assert result["session"]["idClaims"]["cognito:username"] == username
    answered = "RespondToAuthChallenge NEW_PASSWORD_REQUIRED"
    assert output["steps"] == [*sign_in_steps(flow), answered, "RevokeToken"]

    user = app.cognito.admin_get_user(UserPoolId=app.pool_id, Username=username)
    assert user["UserStatus"] == "CONFIRMED"
    assert app.sign_in(username, new_password)["TokenType"] == "Bearer"


@pytest.mark.parametrize("flow", PASSWORD_FLOWS)
def test_identity_js_sign_in_refresh_and_global_sign_out(
    node: NodeRunner, app: App, flow: str
) -> None:
    username, password = app.user(email="identity@example.com")
    output = node(
        "identity_js.mjs",
        **app.options(scenario="sign-in", flow=flow, username=username, password=password),
    )
    result = output["result"]

    assert result["step"] == "DONE"
    first = result["first"]
    assert first["valid"] is True
    assert first["hasRefreshToken"] is True
    assert first["idClaims"]["cognito:username"] == username
    assert result["attributes"]["email"] == "identity@example.com"
    assert result["attributes"]["sub"] == first["idClaims"]["sub"]
    refreshed = result["refreshed"]
    assert refreshed["valid"] is True
    assert refreshed["accessToken"] != first["accessToken"]
    assert refreshed["accessClaims"]["auth_time"] == first["accessClaims"]["auth_time"]
    assert result["storedSessionValid"] is True
    assert result["storedUser"] is None  # globalSignOut cleared the cached session
    # identity-js refreshes with InitiateAuth REFRESH_TOKEN_AUTH.
    refresh = "InitiateAuth REFRESH_TOKEN_AUTH"
    assert output["steps"] == [*sign_in_steps(flow), "GetUser", refresh, "GlobalSignOut"]

    assert app.get_user_error(first["accessToken"]) == REVOKED
    assert app.get_user_error(refreshed["accessToken"]) == REVOKED


@pytest.mark.parametrize("flow", PASSWORD_FLOWS)
def test_identity_js_new_password_required(node: NodeRunner, app: App, flow: str) -> None:
    username, temporary = app.user(temporary=True)
    new_password = f"N3w-{uuid.uuid4().hex[:10]}"
    output = node(
        "identity_js.mjs",
        **app.options(
            scenario="new-password",
            flow=flow,
            username=username,
            password=temporary,
            new_password=new_password,
        ),
    )
    result = output["result"]

    assert result["challenge"]["step"] == "NEW_PASSWORD_REQUIRED"
    assert result["step"] == "DONE"
    assert result["session"]["idClaims"]["cognito:username"] == username
    assert output["steps"] == [*sign_in_steps(flow), "RespondToAuthChallenge NEW_PASSWORD_REQUIRED"]
    user = app.cognito.admin_get_user(UserPoolId=app.pool_id, Username=username)
    assert user["UserStatus"] == "CONFIRMED"
    assert app.sign_in(username, new_password)["TokenType"] == "Bearer"
