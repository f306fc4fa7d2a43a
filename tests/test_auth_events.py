"""Users' auth events through boto3, on both backends: what sign-ins (with their MFA
answers), sign-ups, password resets and changes and codes sent again leave in
AdminListUserAuthEvents, newest first and paginated; where the request came from; feedback
by an administrator and by the user with a FeedbackToken; Cognito's refusals where threat
protection is off; and `userpool events export`, its lines parsed.

The pools send their messages to the outbox (their `userpool:delivery` tag), read here from
the server's own database, so every test shares the one server of its backend."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from tests.auth_events_support import (
    NO_RISK,
    NOT_ENABLED,
    THREAT_PROTECTION,
    TO_OUTBOX,
    auth_events,
    export,
    history,
    last_code,
    sign_in,
)
from tests.conftest import Server, make_client
from tests.mfa_support import Login, authenticator_code, wrong_code
from tests.race_support import race
from tests.signin_support import (
    PASSWORD,
    claims,
    confirmed_user,
    failure,
    new_client,
    new_pool,
    secret_hash,
    unique,
)

EMAIL = "events@example.com"


def test_a_sign_in_is_one_event_with_its_tokens_id(server: Server, cognito: Any) -> None:
    pool_id = new_pool(cognito, **THREAT_PROTECTION)
    client_id = new_client(cognito, pool_id)["ClientId"]
    username = unique("user")
    confirmed_user(cognito, pool_id, username)
    assert failure(sign_in, cognito, client_id, username, "Wrong-Passw0rd")[0] == (
        "NotAuthorizedException"
    )
    before = time.time()
    tokens = sign_in(cognito, client_id, username)["AuthenticationResult"]
    assert history(cognito, pool_id, username) == [
        ("SignIn", "Pass", ["Password:Success"]),
        ("SignIn", "Fail", ["Password:Failure"]),
    ]
    passed = auth_events(cognito, pool_id, username)[0]
    assert passed["EventRisk"] == NO_RISK
    assert passed["EventContextData"] == {"IpAddress": "127.0.0.1"}
    assert before - 1 <= passed["CreationDate"].timestamp() <= time.time() + 1
    # Cognito's tokens carry the id of the sign-in event that issued them.
    assert claims(tokens["AccessToken"])["event_id"] == passed["EventId"]
    assert claims(tokens["IdToken"])["event_id"] == passed["EventId"]


def authenticator_challenge(server: Server, cognito: Any) -> tuple[Login, str, str, Any]:
    """A user of a protected pool who prefers their authenticator app (set up at a sign-in
    of their own), their secret, and the SOFTWARE_TOKEN_MFA challenge of a new sign-in."""
    login = Login.make(server, cognito, factors=("SOFTWARE_TOKEN_MFA",), **THREAT_PROTECTION)
    username = login.user()
    secret = login.register_authenticator(login.access_token(username))
    cognito.admin_set_user_mfa_preference(
        UserPoolId=login.pool_id,
        Username=username,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    return login, username, secret, login.password(username)


def test_mfa_answers_are_listed_with_the_password(server: Server, cognito: Any) -> None:
    login, username, secret, challenge = authenticator_challenge(server, cognito)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert history(cognito, login.pool_id, username)[0] == (
        "SignIn",
        "InProgress",
        ["Password:Success"],
    )
    mismatch = failure(
        login.respond, challenge, username, SOFTWARE_TOKEN_MFA_CODE=wrong_code(secret)
    )
    assert mismatch[0] == "CodeMismatchException"
    assert history(cognito, login.pool_id, username)[0] == (
        "SignIn",
        "Fail",
        ["Password:Success", "Mfa:Failure"],
    )
    code = authenticator_code(secret)
    tokens = login.respond(challenge, username, SOFTWARE_TOKEN_MFA_CODE=code)
    listed = auth_events(cognito, login.pool_id, username)
    assert history(cognito, login.pool_id, username)[0] == (
        "SignIn",
        "Pass",
        ["Password:Success", "Mfa:Failure", "Mfa:Success"],
    )
    assert len(listed) == 2  # the sign-in that set the authenticator up, and this one
    event_id = claims(tokens["AuthenticationResult"]["AccessToken"])["event_id"]
    assert event_id == listed[0]["EventId"]


def test_wrong_answers_at_once_are_each_listed(server: Server, cognito: Any) -> None:
    """Answers to one MFA challenge racing each other: the event keeps every one."""
    login, username, secret, challenge = authenticator_challenge(server, cognito)
    clients = [make_client(server.url) for _ in range(3)]
    answers = [
        lambda client=client: client.respond_to_auth_challenge(
            ClientId=login.client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=challenge["Session"],
            ChallengeResponses={
                "USERNAME": username,
                "SOFTWARE_TOKEN_MFA_CODE": wrong_code(secret),
            },
        )
        for client in clients
    ]
    assert {code for code, _ in race(answers)} == {"CodeMismatchException"}
    assert history(cognito, login.pool_id, username)[0] == (
        "SignIn",
        "Fail",
        ["Password:Success", "Mfa:Failure", "Mfa:Failure", "Mfa:Failure"],
    )


def test_the_other_events(server: Server, cognito: Any) -> None:
    """Sign-up, a code sent again, a password reset (a wrong code, then the right one), a
    password change (the wrong previous password, then the right one)."""
    pool_id = new_pool(cognito, AutoVerifiedAttributes=["email"], **THREAT_PROTECTION, **TO_OUTBOX)
    client_id = new_client(cognito, pool_id)["ClientId"]
    username = unique("user")
    emailed = [{"Name": "email", "Value": EMAIL}]
    cognito.sign_up(
        ClientId=client_id, Username=username, Password=PASSWORD, UserAttributes=emailed
    )
    cognito.resend_confirmation_code(ClientId=client_id, Username=username)
    code = last_code(server, pool_id, username)
    cognito.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code)
    cognito.forgot_password(ClientId=client_id, Username=username)
    reset = {"ClientId": client_id, "Username": username, "Password": "Reset-Passw0rd"}
    wrong = "000000" if last_code(server, pool_id, username) != "000000" else "111111"
    assert failure(cognito.confirm_forgot_password, **reset, ConfirmationCode=wrong)[0] == (
        "CodeMismatchException"
    )
    cognito.confirm_forgot_password(**reset, ConfirmationCode=last_code(server, pool_id, username))
    access = sign_in(cognito, client_id, username, "Reset-Passw0rd")["AuthenticationResult"]
    change = {"AccessToken": access["AccessToken"], "ProposedPassword": "Changed-Passw0rd"}
    assert failure(cognito.change_password, **change, PreviousPassword="Not-The-Passw0rd")[0] == (
        "NotAuthorizedException"
    )
    cognito.change_password(**change, PreviousPassword="Reset-Passw0rd")
    assert history(cognito, pool_id, username) == [
        ("PasswordChange", "Pass", []),
        ("PasswordChange", "Fail", []),
        ("SignIn", "Pass", ["Password:Success"]),
        ("ForgotPassword", "Pass", []),
        ("ForgotPassword", "Fail", []),
        ("ForgotPassword", "Pass", []),
        ("ResendCode", "Pass", []),
        ("SignUp", "Pass", []),
    ]


def test_pages_newest_first(server: Server, cognito: Any) -> None:
    pool_id = new_pool(cognito, **THREAT_PROTECTION)
    client_id = new_client(cognito, pool_id)["ClientId"]
    username = unique("user")
    confirmed_user(cognito, pool_id, username)
    for _ in range(7):
        sign_in(cognito, client_id, username)
    everything = auth_events(cognito, pool_id, username, MaxResults=0)  # 0: up to 60
    assert len(everything) == 7
    dates = [event["CreationDate"] for event in everything]
    assert dates == sorted(dates, reverse=True)
    pages, token = [], None
    while True:
        paging = {"MaxResults": 3, **({"NextToken": token} if token else {})}
        response = cognito.admin_list_user_auth_events(
            UserPoolId=pool_id, Username=username, **paging
        )
        pages.append([event["EventId"] for event in response["AuthEvents"]])
        token = response.get("NextToken")
        if token is None:
            break
        # Cognito's form: the last event listed, and when it happened.
        event_id, _, when = token.rpartition("#")
        assert event_id == pages[-1][-1] and when.endswith("Z")
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [event_id for page in pages for event_id in page] == [e["EventId"] for e in everything]
    paginator = cognito.get_paginator("admin_list_user_auth_events")
    walked = paginator.paginate(
        UserPoolId=pool_id, Username=username, PaginationConfig={"PageSize": 2}
    )
    assert [e["EventId"] for page in walked for e in page["AuthEvents"]] == [
        e["EventId"] for e in everything
    ]
    bad = failure(auth_events, cognito, pool_id, username, NextToken="not-a-token")
    assert bad == ("InvalidParameterException", "Invalid pagination token.")


def test_feedback_from_an_administrator_and_from_the_user(server: Server, cognito: Any) -> None:
    pool_id = new_pool(cognito, **THREAT_PROTECTION)
    client_id = new_client(cognito, pool_id)["ClientId"]
    username, other = unique("user"), unique("other")
    confirmed_user(cognito, pool_id, username)
    confirmed_user(cognito, pool_id, other)
    sign_in(cognito, client_id, username)
    sign_in(cognito, client_id, username)
    sign_in(cognito, client_id, other)
    newer, older = (event["EventId"] for event in auth_events(cognito, pool_id, username))
    cognito.admin_update_auth_event_feedback(
        UserPoolId=pool_id, Username=username, EventId=older, FeedbackValue="Invalid"
    )
    feedback = auth_events(cognito, pool_id, username)[1]["EventFeedback"]
    assert (feedback["FeedbackValue"], feedback["Provider"]) == ("Invalid", "Admin")
    assert abs(feedback["FeedbackDate"].timestamp() - time.time()) < 60
    unknown = {"UserPoolId": pool_id, "Username": username, "FeedbackValue": "Valid"}
    assert failure(cognito.admin_update_auth_event_feedback, **unknown, EventId="no-such")[0] == (
        "ResourceNotFoundException"
    )
    tokens = {
        line["EventId"]: line["FeedbackToken"]
        for line in export(server, "--pool", pool_id, "--feedback-tokens")
    }
    by_user = {"UserPoolId": pool_id, "Username": username, "FeedbackValue": "Valid"}
    public = make_client(server.url)  # UpdateAuthEventFeedback takes no IAM credentials
    public.update_auth_event_feedback(**by_user, EventId=newer, FeedbackToken=tokens[newer])
    feedback = auth_events(cognito, pool_id, username)[0]["EventFeedback"]
    assert (feedback["FeedbackValue"], feedback["Provider"]) == ("Valid", "User")
    tampered = tokens[newer][:-2] + ("AA" if not tokens[newer].endswith("AA") else "BB")
    others = {"UserPoolId": pool_id, "Username": other, "FeedbackValue": "Valid"}
    refused = [
        {**by_user, "EventId": older, "FeedbackToken": tokens[newer]},  # another event's
        {**by_user, "EventId": newer, "FeedbackToken": tampered},
        {**others, "EventId": newer, "FeedbackToken": tokens[newer]},  # another user's
    ]
    for request in refused:
        assert failure(public.update_auth_event_feedback, **request) == (
            "NotAuthorizedException",
            "Invalid feedback token.",
        )
    assert auth_events(cognito, pool_id, username)[1]["EventFeedback"]["FeedbackValue"] == (
        "Invalid"
    )


def test_without_threat_protection(server: Server, cognito: Any) -> None:
    """Cognito keeps the history only where threat protection is on (Plus plan, AUDIT or
    ENFORCED): elsewhere its operations answer UserPoolAddOnNotEnabledException."""
    tier = failure(
        cognito.create_user_pool,
        PoolName=unique("pool"),
        UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"},
    )
    assert tier[0] == "FeatureUnavailableInTierException"
    for settings in ({}, {"UserPoolTier": "PLUS"}):
        pool_id = new_pool(cognito, **settings)
        client_id = new_client(cognito, pool_id)["ClientId"]
        username = unique("user")
        confirmed_user(cognito, pool_id, username)
        sign_in(cognito, client_id, username)
        event = {"UserPoolId": pool_id, "Username": username, "EventId": "e1"}
        admin_feedback = cognito.admin_update_auth_event_feedback
        user_feedback = cognito.update_auth_event_feedback
        assert failure(auth_events, cognito, pool_id, username)[0] == NOT_ENABLED
        assert failure(admin_feedback, **event, FeedbackValue="Valid")[0] == NOT_ENABLED
        token = {"FeedbackToken": "abc", "FeedbackValue": "Valid"}
        assert failure(user_feedback, **event, **token)[0] == NOT_ENABLED
    # Turned on later: what happened while it was off was not recorded.
    cognito.update_user_pool(UserPoolId=pool_id, **THREAT_PROTECTION)
    assert auth_events(cognito, pool_id, username) == []
    # Threat protection for custom authentication only: the history is there, password
    # sign-ins are not in it.
    custom_only = {
        "AdvancedSecurityMode": "OFF",
        "AdvancedSecurityAdditionalFlows": {"CustomAuthMode": "AUDIT"},
    }
    cognito.update_user_pool(UserPoolId=pool_id, UserPoolTier="PLUS", UserPoolAddOns=custom_only)
    sign_in(cognito, client_id, username)
    assert auth_events(cognito, pool_id, username) == []
    assert failure(auth_events, cognito, "us-east-1_NoSuchPool", username)[0] == (
        "ResourceNotFoundException"
    )
    cognito.update_user_pool(UserPoolId=pool_id, **THREAT_PROTECTION)
    assert failure(auth_events, cognito, pool_id, "nobody")[0] == "UserNotFoundException"


def test_where_a_sign_in_came_from(server: Server, cognito: Any) -> None:
    """The source address as the server sees it: X-Forwarded-For only from a trusted proxy
    (uvicorn's FORWARDED_ALLOW_IPS, 127.0.0.1 by default); the IpAddress an admin call's
    ContextData names; a client's UserContextData only where the client propagates it."""
    pool_id = new_pool(cognito, **THREAT_PROTECTION)
    plain = new_client(cognito, pool_id)["ClientId"]
    propagating = new_client(
        cognito, pool_id, GenerateSecret=True, EnablePropagateAdditionalUserContextData=True
    )
    username = unique("user")
    confirmed_user(cognito, pool_id, username)

    def raw_sign_in(client_id: str, local: str, forwarded: str, **extra: Any) -> None:
        body = {
            "ClientId": client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD},
            **extra,
        }
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
            "X-Forwarded-For": forwarded,
        }
        transport = httpx.HTTPTransport(local_address=local)
        with httpx.Client(transport=transport, timeout=10) as client:
            answer = client.post(server.url, content=json.dumps(body), headers=headers)
        assert answer.status_code == 200, answer.text

    named = {"UserContextData": {"IpAddress": "198.51.100.20"}}
    raw_sign_in(plain, "127.0.0.1", "203.0.113.1")  # the default trusted proxy
    raw_sign_in(plain, "127.0.0.2", "203.0.113.2")  # not a trusted proxy
    raw_sign_in(plain, "127.0.0.1", "203.0.113.3", **named)  # not propagated by this client
    client_id, secret = propagating["ClientId"], propagating["ClientSecret"]
    hashed = {"SECRET_HASH": secret_hash(secret, username, client_id)}
    cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD, **hashed},
        UserContextData={"IpAddress": "198.51.100.21"},
    )
    context = {"ServerName": "app.example.com", "ServerPath": "/login", "HttpHeaders": []}
    cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=plain,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        ContextData={"IpAddress": "198.51.100.22", **context},
    )
    addresses = [
        e["EventContextData"].get("IpAddress") for e in auth_events(cognito, pool_id, username)
    ]
    assert addresses == [
        "198.51.100.22",
        "198.51.100.21",
        "203.0.113.3",
        "127.0.0.2",
        "203.0.113.1",
    ]


def test_export_and_deletion(server: Server, cognito: Any) -> None:
    pool_id = new_pool(cognito, **THREAT_PROTECTION)
    client_id = new_client(cognito, pool_id)["ClientId"]
    first, second = unique("first"), unique("second")
    for username in (first, second):
        confirmed_user(cognito, pool_id, username)
        sign_in(cognito, client_id, username)
    failure(sign_in, cognito, client_id, first, "Wrong-Passw0rd")
    lines = export(server, "--pool", pool_id)
    assert [(line["Username"], line["EventResponse"]) for line in lines] == [
        (first, "Pass"),
        (second, "Pass"),
        (first, "Fail"),
    ]
    listed = auth_events(cognito, pool_id, first)
    mine = export(server, "--pool", pool_id, "--user", first)
    assert [line["EventId"] for line in mine] == [event["EventId"] for event in reversed(listed)]
    assert mine[0]["UserPoolId"] == pool_id and "FeedbackToken" not in mine[0]
    assert mine[0]["ChallengeResponses"] == [
        {"ChallengeName": "Password", "ChallengeResponse": "Success"}
    ]
    # A user's events go with them; a user of the same name later has none.
    cognito.admin_delete_user(UserPoolId=pool_id, Username=first)
    confirmed_user(cognito, pool_id, first)
    assert auth_events(cognito, pool_id, first) == []
    cognito.delete_user_pool(UserPoolId=pool_id)
    assert export(server, "--pool", pool_id) == []
