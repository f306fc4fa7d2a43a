"""USER_SRP_AUTH with the real JavaScript clients, run without a flow so that each library
uses its own default (SRP): amazon-cognito-identity-js `authenticateUser` and Amplify v6
`signIn`, in pools where the name typed is not the username (email as username, an email
alias), and the refusals they must surface. The scripts and the harness are those of
tests/test_node_clients.py, which also runs every scenario with `--flow USER_SRP_AUTH`."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import Server
from tests.test_node_clients import AUTH_FLOWS, App, NodeRunner, node_runner, sign_in_steps

pytestmark = pytest.mark.one_backend  # wire compatibility: SQLite only (conftest)

SRP = sign_in_steps("USER_SRP_AUTH")
WRONG_PASSWORD = ("NotAuthorizedException", "Incorrect username or password.")
SCRIPTS = ["identity_js.mjs", "amplify.mjs"]


def make_app(
    server: Server, cognito: Any, client: dict[str, Any] | None = None, **pool: Any
) -> App:
    name = f"srp-{uuid.uuid4().hex[:8]}"
    pool_id = cognito.create_user_pool(PoolName=name, **pool)["UserPool"]["Id"]
    created = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="node-srp", ExplicitAuthFlows=AUTH_FLOWS, **(client or {})
    )
    return App(server.url, cognito, pool_id, created["UserPoolClient"]["ClientId"])


def add_user(app: App, username: str, *, temporary: bool = False, **attributes: str) -> str:
    """Create `username` (CONFIRMED unless temporary); its password. The internal username
    is what AdminGetUser shows."""
    password = f"Passw0rd!{uuid.uuid4().hex[:6]}"
    app.cognito.admin_create_user(
        UserPoolId=app.pool_id,
        Username=username,
        TemporaryPassword=password,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
    )
    if not temporary:
        app.cognito.admin_set_user_password(
            UserPoolId=app.pool_id, Username=username, Password=password, Permanent=True
        )
    return password


def internal_username(app: App, name: str) -> str:
    return str(app.cognito.admin_get_user(UserPoolId=app.pool_id, Username=name)["Username"])


def email() -> str:
    return f"srp-{uuid.uuid4().hex[:8]}@example.com"


def refused(node: NodeRunner, script: str, app: App, username: str, password: str) -> Any:
    """Run the `refused` scenario: ((error name, message), the requests made)."""
    output = node(script, **app.options(scenario="refused", username=username, password=password))
    error = output["result"].get("refused")
    assert error is not None, f"{script} signed in: {output['result']}"
    return (error["name"], error["message"]), output["steps"]


@pytest.fixture(scope="module")
def node() -> NodeRunner:
    return node_runner()


@pytest.fixture(scope="module")
def email_app(server: Server, cognito: Any) -> App:
    return make_app(server, cognito, UsernameAttributes=["email"])


def test_identity_js_default_flow_with_email_as_username(node: NodeRunner, email_app: App) -> None:
    address = email()
    password = add_user(email_app, address, email=address)
    internal = internal_username(email_app, address)
    assert internal != address

    output = node(
        "identity_js.mjs",
        **email_app.options(scenario="sign-in", username=address, password=password),
    )
    result = output["result"]

    assert result["flow"] == "default"
    assert output["steps"] == [*SRP, "GetUser", "InitiateAuth REFRESH_TOKEN_AUTH", "GlobalSignOut"]
    # identity-js signs with USER_ID_FOR_SRP (the internal username) and then goes by it.
    assert result["first"]["idClaims"]["cognito:username"] == internal
    assert result["first"]["idClaims"]["email"] == address
    assert result["attributes"]["email"] == address
    assert result["refreshed"]["valid"] is True
    assert result["refreshed"]["idClaims"]["sub"] == result["first"]["idClaims"]["sub"]
    assert result["storedSessionValid"] is True
    assert email_app.get_user_error(result["first"]["accessToken"])[0] == "NotAuthorizedException"


def test_amplify_default_flow_with_email_as_username(node: NodeRunner, email_app: App) -> None:
    address = email()
    password = add_user(email_app, address, email=address, email_verified="true")
    internal = internal_username(email_app, address)

    output = node(
        "amplify.mjs",
        **email_app.options(scenario="sign-in", username=address, password=password),
    )
    result = output["result"]

    assert result["authFlowType"] == "default"
    assert output["steps"] == [*SRP, "GetTokensFromRefreshToken", "GlobalSignOut"]
    assert result["signIn"] == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    assert result["currentUser"]["username"] == internal
    assert result["first"]["idClaims"]["cognito:username"] == internal
    assert result["first"]["accessClaims"]["username"] == internal
    assert (
        result["refreshed"]["accessClaims"]["auth_time"]
        == (result["first"]["accessClaims"]["auth_time"])
    )
    assert result["afterSignOut"] is None


@pytest.mark.parametrize("script", SCRIPTS)
def test_default_flow_new_password_through_an_email_alias(
    node: NodeRunner, server: Server, cognito: Any, script: str
) -> None:
    app = make_app(server, cognito, AliasAttributes=["email"])
    username, address = f"alias-{uuid.uuid4().hex[:8]}", email()
    temporary = add_user(app, username, temporary=True, email=address, email_verified="true")
    new_password = f"N3w-{uuid.uuid4().hex[:10]}"

    options = app.options(scenario="new-password", username=address, password=temporary)
    output = node(script, **options, new_password=new_password)
    result = output["result"]

    assert output["steps"][:3] == [*SRP, "RespondToAuthChallenge NEW_PASSWORD_REQUIRED"]
    if script == "amplify.mjs":
        next_step = result["signIn"]["nextStep"]["signInStep"]
        assert next_step == "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
        assert result["confirmSignIn"] == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    else:
        assert result["challenge"]["step"] == "NEW_PASSWORD_REQUIRED"
        assert result["step"] == "DONE"
    assert result["session"]["idClaims"]["cognito:username"] == username
    assert result["session"]["idClaims"]["email"] == address
    user = cognito.admin_get_user(UserPoolId=app.pool_id, Username=username)
    assert user["UserStatus"] == "CONFIRMED"
    assert app.sign_in(address, new_password)["TokenType"] == "Bearer"


@pytest.mark.parametrize("script", SCRIPTS)
def test_default_flow_wrong_password(node: NodeRunner, email_app: App, script: str) -> None:
    address = email()
    add_user(email_app, address, email=address)

    error, steps = refused(node, script, email_app, address, "Not-the-Passw0rd")

    assert error == WRONG_PASSWORD
    assert steps == SRP  # refused at the proof, not before


@pytest.mark.parametrize("script", SCRIPTS)
def test_unknown_user_with_prevent_user_existence_errors(
    node: NodeRunner, server: Server, cognito: Any, script: str
) -> None:
    app = make_app(server, cognito, client={"PreventUserExistenceErrors": "ENABLED"})

    error, steps = refused(node, script, app, f"ghost-{uuid.uuid4().hex[:8]}", "Any-Passw0rd")

    # A simulated challenge the library answers; only the answer is refused.
    assert error == WRONG_PASSWORD
    assert steps == SRP


def test_unknown_user_legacy(node: NodeRunner, server: Server, cognito: Any) -> None:
    app = make_app(server, cognito, client={"PreventUserExistenceErrors": "LEGACY"})

    error, steps = refused(node, "identity_js.mjs", app, "nobody-here", "Any-Passw0rd")

    assert error == ("UserNotFoundException", "User does not exist.")
    assert steps == ["InitiateAuth USER_SRP_AUTH"]
