"""EMAIL_OTP as a second factor: a code sent by email to the user's address (or to the one
being set up in MFA_SETUP), answered as EMAIL_OTP_CODE (see message_code)."""

from __future__ import annotations

from userpool.accounts.mfa import EMAIL_OTP as NAME
from userpool.auth.challenges.message_code import Channel, answer_for, parameters_for
from userpool.auth.challenges.spec import ChallengeSpec
from userpool.domain.messages import Medium

CHANNEL = Channel(NAME, Medium.EMAIL, "EMAIL_OTP_CODE")
EMAIL_OTP = ChallengeSpec(NAME, parameters_for(CHANNEL), answer_for(CHANNEL), stores=True)
