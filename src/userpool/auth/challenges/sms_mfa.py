"""SMS_MFA: a code sent by text message to the user's phone number, answered as
SMS_MFA_CODE (see message_code)."""

from __future__ import annotations

from userpool.accounts.mfa import SMS_MFA as NAME
from userpool.auth.challenges.message_code import Channel, answer_for, parameters_for
from userpool.auth.challenges.spec import ChallengeSpec
from userpool.domain.messages import Medium

CHANNEL = Channel(NAME, Medium.SMS, "SMS_MFA_CODE")
SMS_MFA = ChallengeSpec(NAME, parameters_for(CHANNEL), answer_for(CHANNEL), stores=True)
