"""SMS_OTP: a code sent by text message as a first factor of choice-based sign-in (USER_AUTH),
answered as SMS_OTP_CODE (see message_code)."""

from __future__ import annotations

from userpool.auth.challenges.message_code import Channel, answer_for, parameters_for
from userpool.auth.challenges.spec import ChallengeSpec
from userpool.domain.flows import ChallengeName
from userpool.domain.messages import Medium

NAME = ChallengeName.SMS_OTP
CHANNEL = Channel(NAME, Medium.SMS, "SMS_OTP_CODE")
SMS_OTP = ChallengeSpec(NAME, parameters_for(CHANNEL), answer_for(CHANNEL), stores=True)
