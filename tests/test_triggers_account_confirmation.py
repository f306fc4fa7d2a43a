"""PostConfirmation and UserMigration on ForgotPassword, through boto3 against a running server
whose functions are real handler files (tests/triggers/account/, in node and python workers):
PostConfirmation after each of the four confirmations (ConfirmSignUp, AdminConfirmSignUp, a
SignUp the PreSignUp function confirmed, ConfirmForgotPassword), once the confirmation is
committed, so that a failing function leaves the user confirmed; UserMigration for a name the
pool does not know, whose user is created RESET_REQUIRED and sent the reset code. Each event
asserted whole, as the handler received it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.account_trigger_support import (
    LAMBDA_ERROR,
    MIGRATION_START,
    NODE,
    PYTHON,
    TriggerServer,
    client_of,
    envelope,
    missing,
    sign_up,
    status_of,
    trigger_pool,
    trigger_server_fixture,
    user_attributes,
)
from tests.codes_support import UNKNOWN_USER, last_code, last_message
from tests.signin_support import (
    NEW_PASSWORD,
    PASSWORD,
    attribute_list,
    confirmed_user,
    failure,
    tokens_of,
    unique,
    user_auth,
)

triggers = trigger_server_fixture("confirmation-triggers")

POST_CONFIRMATION_FAILED = "PostConfirmation failed with error the welcome mail bounced."


# --- PostConfirmation -------------------------------------------------------------------------

# A way to confirm a new user in a pool whose PreSignUp is NODE: (triggers, pool, client, a new
# username, the ClientMetadata to confirm with) -> the client id the event names and its source.
Meta = dict[str, str]
Outcome = tuple[str | None, str]
Confirmation = Callable[[TriggerServer, str, str, str, Meta], Outcome]
SIGN_UP_CONFIRMED = "PostConfirmation_ConfirmSignUp"


def by_code(t: TriggerServer, pool_id: str, client_id: str, name: str, meta: Meta) -> Outcome:
    sign_up(t, client_id, name, UserAttributes=attribute_list(email=f"{name}@example.com"))
    code = last_code(t.server, pool_id, name)
    t.cognito.confirm_sign_up(
        ClientId=client_id, Username=name, ConfirmationCode=code, ClientMetadata=meta
    )
    return client_id, SIGN_UP_CONFIRMED


def by_admin(t: TriggerServer, pool_id: str, client_id: str, name: str, meta: Meta) -> Outcome:
    sign_up(t, client_id, name, UserAttributes=attribute_list(email=f"{name}@example.com"))
    t.cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username=name, ClientMetadata=meta)
    return None, SIGN_UP_CONFIRMED


def by_function(t: TriggerServer, pool_id: str, client_id: str, name: str, meta: Meta) -> Outcome:
    """SignUp whose PreSignUp function confirms the user (its `script` says "confirm")."""
    sign_up(
        t,
        client_id,
        name,
        UserAttributes=attribute_list(email=f"{name}@example.com"),
        ClientMetadata=meta,
    )
    return client_id, SIGN_UP_CONFIRMED


def by_reset(t: TriggerServer, pool_id: str, client_id: str, name: str, meta: Meta) -> Outcome:
    """ForgotPassword, then ConfirmForgotPassword with NEW_PASSWORD."""
    confirmed_user(t.cognito, pool_id, name, email=f"{name}@example.com", email_verified="true")
    t.cognito.forgot_password(ClientId=client_id, Username=name)
    t.cognito.confirm_forgot_password(
        ClientId=client_id,
        Username=name,
        ConfirmationCode=last_code(t.server, pool_id, name),
        Password=NEW_PASSWORD,
        ClientMetadata=meta,
    )
    return client_id, "PostConfirmation_ConfirmForgotPassword"


CONFIRMATIONS: dict[str, tuple[Confirmation, str]] = {
    # name: (how, the script words it needs besides the test's own)
    "ConfirmSignUp": (by_code, ""),
    "AdminConfirmSignUp": (by_admin, ""),
    "SignUp auto-confirmed": (by_function, "confirm,"),
    "ConfirmForgotPassword": (by_reset, ""),
}


def confirmation_pool(triggers: TriggerServer) -> tuple[str, str]:
    lambda_config = {"PreSignUp": NODE, "PostConfirmation": PYTHON}
    pool_id = trigger_pool(triggers.cognito, lambda_config, AutoVerifiedAttributes=["email"])
    return pool_id, client_of(triggers, pool_id)


@pytest.mark.parametrize("path", list(CONFIRMATIONS))
def test_post_confirmation_after_each_confirmation(triggers: TriggerServer, path: str) -> None:
    pool_id, client_id = confirmation_pool(triggers)
    confirm, words = CONFIRMATIONS[path]
    username = unique("conf")
    metadata = {"script": words, "path": path}
    event_client, source = confirm(triggers, pool_id, client_id, username, metadata)
    call = triggers.only_call(pool_id, source)
    assert call.runtime == "python"
    attributes = user_attributes(triggers.cognito, pool_id, username)
    assert attributes["cognito:user_status"] == "CONFIRMED"
    request = {"userAttributes": attributes, "clientMetadata": metadata}
    assert call.event == envelope(source, pool_id, username, event_client, request, {})
    # It comes last: once the user is confirmed.
    assert triggers.sources(pool_id)[-1] == source


@pytest.mark.parametrize("path", list(CONFIRMATIONS))
def test_a_failed_post_confirmation_leaves_the_user_confirmed(
    triggers: TriggerServer, path: str
) -> None:
    pool_id, client_id = confirmation_pool(triggers)
    confirm, words = CONFIRMATIONS[path]
    username = unique("fail")
    metadata = {"script": f"{words}fail"}
    error = failure(confirm, triggers, pool_id, client_id, username, metadata)
    assert error == (LAMBDA_ERROR, POST_CONFIRMATION_FAILED)
    assert status_of(triggers, pool_id, username) == "CONFIRMED"
    password = NEW_PASSWORD if path == "ConfirmForgotPassword" else PASSWORD
    assert tokens_of(user_auth(triggers.cognito, client_id, username, password))


# --- UserMigration on ForgotPassword ----------------------------------------------------------


def migration_pool(triggers: TriggerServer, **client: Any) -> tuple[str, str]:
    pool_id = trigger_pool(triggers.cognito, {"UserMigration": NODE})
    return pool_id, client_of(triggers, pool_id, **client)


def test_forgot_password_migrates_a_user_the_old_directory_knows(
    triggers: TriggerServer,
) -> None:
    pool_id, client_id = migration_pool(triggers)
    name = unique("legacy")
    address = f"{name}@legacy.example.com"
    response = triggers.cognito.forgot_password(
        ClientId=client_id, Username=name, ClientMetadata={"origin": "app"}
    )
    assert response["CodeDeliveryDetails"] == {
        "Destination": "l***@l***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    # ForgotPassword's ClientMetadata is clientMetadata (the migrate-user trigger page ties
    # validationData to InitiateAuth's).
    request = {"validationData": {}, "clientMetadata": {"origin": "app"}}
    event = triggers.only_call(pool_id, "UserMigration_ForgotPassword").event
    assert event == envelope(
        "UserMigration_ForgotPassword", pool_id, name, client_id, request, MIGRATION_START
    )
    attributes = user_attributes(triggers.cognito, pool_id, name)
    assert attributes == {
        "sub": attributes["sub"],
        "email": address,
        "email_verified": "true",
        "cognito:user_status": "RESET_REQUIRED",
    }
    message = last_message(triggers.server, pool_id, name)
    assert (message["sentFor"], message["destination"]) == ("ForgotPassword", address)
    triggers.cognito.confirm_forgot_password(
        ClientId=client_id, Username=name, ConfirmationCode=message["code"], Password=NEW_PASSWORD
    )
    assert tokens_of(user_auth(triggers.cognito, client_id, name, NEW_PASSWORD))
    assert triggers.sources(pool_id) == ["UserMigration_ForgotPassword"]  # asked once


def test_a_name_the_old_directory_does_not_know_is_unknown(triggers: TriggerServer) -> None:
    pool_id, client_id = migration_pool(triggers, PreventUserExistenceErrors="LEGACY")
    name = unique("stranger")
    forgot = triggers.cognito.forgot_password
    assert failure(forgot, ClientId=client_id, Username=name) == (
        "UserNotFoundException",
        UNKNOWN_USER,
    )
    assert triggers.sources(pool_id) == ["UserMigration_ForgotPassword"]
    assert missing(triggers, pool_id, name)


def test_a_hidden_unknown_name_is_answered_as_any_other(triggers: TriggerServer) -> None:
    pool_id, client_id = migration_pool(triggers, PreventUserExistenceErrors="ENABLED")
    name = f"{unique('stranger')}@example.com"
    response = triggers.cognito.forgot_password(ClientId=client_id, Username=name)
    assert response["CodeDeliveryDetails"]["Destination"] == "s***@e***"
    assert triggers.sources(pool_id) == ["UserMigration_ForgotPassword"]
    assert missing(triggers, pool_id, name)


def test_a_known_user_is_not_migrated(triggers: TriggerServer) -> None:
    pool_id, client_id = migration_pool(triggers)
    name = unique("legacy")  # a name the function would vouch for
    confirmed_user(
        triggers.cognito, pool_id, name, email=f"{name}@new.example.com", email_verified="true"
    )
    triggers.cognito.forgot_password(ClientId=client_id, Username=name)
    assert last_message(triggers.server, pool_id, name)["destination"] == f"{name}@new.example.com"
    assert triggers.sources(pool_id) == []


def test_a_failing_migration_is_the_function_error(triggers: TriggerServer) -> None:
    pool_id, client_id = migration_pool(triggers)
    name = unique("legacy")
    forgot = triggers.cognito.forgot_password
    refused = failure(
        forgot, ClientId=client_id, Username=name, ClientMetadata={"script": "refuse"}
    )
    assert refused == (LAMBDA_ERROR, "UserMigration failed with error the old directory is down.")
    assert missing(triggers, pool_id, name)
