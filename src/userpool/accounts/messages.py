"""The texts Cognito sends, from the pool's templates (`{####}` is the code, `{username}`
the user name), with Cognito's defaults where the pool sets none."""

from __future__ import annotations

from typing import Any

from userpool.domain.messages import Medium, Message, MessagePurpose, Purpose
from userpool.domain.models import User, UserPool

CODE = "{####}"
DEFAULT_VERIFICATION = "Your verification code is {####}. "
DEFAULT_VERIFICATION_SUBJECT = "Your verification code"
DEFAULT_INVITATION = "Your username is {username} and temporary password is {####}. "
DEFAULT_INVITATION_SUBJECT = "Your temporary password"
DEFAULT_MFA = "Your authentication code is {####}. "
DEFAULT_MFA_SUBJECT = "Your authentication code"


def _fill(template: str, code: str, username: str) -> str:
    return template.replace(CODE, code).replace("{username}", username)


def _destination(user: User, medium: Medium) -> str:
    return user.attributes.get("email" if medium == Medium.EMAIL else "phone_number", "")


def sign_in_name(pool: UserPool, user: User) -> str:
    """What the user signs in with: where email or phone is the username, the stored
    username is a generated id, so the attribute is what they need to be told."""
    for attribute in pool.username_attributes:
        if user.attributes.get(attribute):
            return user.attributes[attribute]
    return user.username


def _message(
    pool: UserPool,
    user: User,
    medium: Medium,
    purpose: Purpose,
    code: str,
    texts: tuple[str, str | None],
) -> Message:
    body, subject = texts
    name = sign_in_name(pool, user)
    return Message(
        pool_id=pool.id,
        username=user.username,
        medium=medium,
        destination=_destination(user, medium),
        subject=_fill(subject, code, name) if subject and medium == Medium.EMAIL else None,
        body=_fill(body, code, name),
        purpose=purpose.key,
        sent_for=purpose.sent_for,
        code=code,
    )


def verification(
    pool: UserPool, user: User, medium: Medium, purpose: Purpose, code: str
) -> Message:
    """Sign-up confirmation, attribute verification and forgot-password codes. The template
    holds the text (services/pools.py keeps the older fields in step with it); the older
    fields are read too for pools stored before that was so."""
    settings: dict[str, Any] = pool.settings
    template = settings.get("VerificationMessageTemplate") or {}
    if medium == Medium.EMAIL:
        body = template.get("EmailMessage") or settings.get("EmailVerificationMessage")
        subject = template.get("EmailSubject") or settings.get("EmailVerificationSubject")
        texts = (body or DEFAULT_VERIFICATION, subject or DEFAULT_VERIFICATION_SUBJECT)
    else:
        body = template.get("SmsMessage") or settings.get("SmsVerificationMessage")
        texts = (body or DEFAULT_VERIFICATION, None)
    return _message(pool, user, medium, purpose, code, texts)


def invitation(pool: UserPool, user: User, medium: Medium, temporary_password: str) -> Message:
    config = pool.settings.get("AdminCreateUserConfig") or {}
    template = config.get("InviteMessageTemplate") or {}
    if medium == Medium.EMAIL:
        texts = (
            template.get("EmailMessage") or DEFAULT_INVITATION,
            template.get("EmailSubject") or DEFAULT_INVITATION_SUBJECT,
        )
    else:
        texts = (template.get("SMSMessage") or DEFAULT_INVITATION, None)
    purpose = Purpose("invitation", MessagePurpose.ADMIN_CREATE_USER)
    return _message(pool, user, medium, purpose, temporary_password, texts)


def mfa(pool: UserPool, user: User, medium: Medium, purpose: str, code: str) -> Message:
    """SMS_MFA and EMAIL_OTP codes during sign-in."""
    settings = pool.settings
    if medium == Medium.EMAIL:
        email = (settings.get("MfaFactors") or {}).get("EmailMfaConfiguration") or {}
        texts = (
            email.get("Message") or DEFAULT_MFA,
            email.get("Subject") or DEFAULT_MFA_SUBJECT,
        )
    else:
        texts = (settings.get("SmsAuthenticationMessage") or DEFAULT_MFA, None)
    mfa_purpose = Purpose(purpose, MessagePurpose.AUTHENTICATION)
    return _message(pool, user, medium, mfa_purpose, code, texts)
