"""VerificationMessageTemplate and the older SmsVerificationMessage, EmailVerificationMessage
and EmailVerificationSubject, kept in step as on Cognito: a template field wins over its older
twin, an older field alone fills the template, DescribeUserPool shows the same text in both
places, and the code that goes out uses it. boto3 against a server whose messages go to the
outbox."""

from __future__ import annotations

from typing import Any

from tests.codes_support import last_message, outbox_fixtures
from tests.conftest import Server
from tests.signin_support import NEW_PASSWORD, attribute_list, new_client, new_pool, unique

TEMPLATE = {
    "EmailMessage": "Template email {####}",
    "EmailSubject": "Template subject",
    "SmsMessage": "Template SMS {####}",
}
OLDER = {
    "EmailVerificationMessage": "Older email {####}",
    "EmailVerificationSubject": "Older subject",
    "SmsVerificationMessage": "Older SMS {####}",
}
OLDER_TWIN = {
    "EmailMessage": "EmailVerificationMessage",
    "EmailSubject": "EmailVerificationSubject",
    "SmsMessage": "SmsVerificationMessage",
}

server, cognito = outbox_fixtures("verification-messages")


def described(cognito: Any, pool_id: str) -> dict[str, Any]:
    pool: dict[str, Any] = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    return pool


def shows_in_step(pool: dict[str, Any], texts: dict[str, str], email_option: str) -> None:
    """`pool` shows `texts` (by template field) in its template and in the older fields."""
    assert pool["VerificationMessageTemplate"] == {"DefaultEmailOption": email_option, **texts}
    for field, older in OLDER_TWIN.items():
        assert pool.get(older) == texts.get(field)


def test_a_template_alone_fills_the_older_fields(cognito: Any) -> None:
    template = {**TEMPLATE, "DefaultEmailOption": "CONFIRM_WITH_LINK"}
    pool_id = new_pool(cognito, VerificationMessageTemplate=template)
    shows_in_step(described(cognito, pool_id), TEMPLATE, "CONFIRM_WITH_LINK")


def test_older_fields_alone_fill_the_template(cognito: Any) -> None:
    pool_id = new_pool(cognito, **OLDER)
    older_texts = {field: OLDER[older] for field, older in OLDER_TWIN.items()}
    shows_in_step(described(cognito, pool_id), older_texts, "CONFIRM_WITH_CODE")


def test_the_template_wins_over_the_older_fields(cognito: Any) -> None:
    pool_id = new_pool(cognito, VerificationMessageTemplate=TEMPLATE, **OLDER)
    shows_in_step(described(cognito, pool_id), TEMPLATE, "CONFIRM_WITH_CODE")


def test_each_field_is_taken_from_whichever_side_gives_it(cognito: Any) -> None:
    pool_id = new_pool(
        cognito,
        VerificationMessageTemplate={"EmailSubject": "Template subject"},
        SmsVerificationMessage="Older SMS {####}",
    )
    texts = {"EmailSubject": "Template subject", "SmsMessage": "Older SMS {####}"}
    shows_in_step(described(cognito, pool_id), texts, "CONFIRM_WITH_CODE")


def test_update_keeps_them_in_step_and_resets_what_it_omits(cognito: Any) -> None:
    pool_id = new_pool(cognito, VerificationMessageTemplate=TEMPLATE)
    cognito.update_user_pool(UserPoolId=pool_id, EmailVerificationMessage="Updated {####}")
    shows_in_step(
        described(cognito, pool_id), {"EmailMessage": "Updated {####}"}, "CONFIRM_WITH_CODE"
    )
    cognito.update_user_pool(UserPoolId=pool_id, VerificationMessageTemplate=TEMPLATE, **OLDER)
    shows_in_step(described(cognito, pool_id), TEMPLATE, "CONFIRM_WITH_CODE")
    cognito.update_user_pool(UserPoolId=pool_id)
    shows_in_step(described(cognito, pool_id), {}, "CONFIRM_WITH_CODE")


def test_the_code_goes_out_with_the_winning_text(cognito: Any, server: Server) -> None:
    pool_id = new_pool(
        cognito, AutoVerifiedAttributes=["email"], VerificationMessageTemplate=TEMPLATE, **OLDER
    )
    client_id = new_client(cognito, pool_id)["ClientId"]
    username = unique("vera")
    cognito.sign_up(
        ClientId=client_id,
        Username=username,
        Password=NEW_PASSWORD,
        UserAttributes=attribute_list(email="vera@example.com"),
    )
    message = last_message(server, pool_id, username)
    assert message["subject"] == "Template subject"
    assert message["body"] == f"Template email {message['code']}"
