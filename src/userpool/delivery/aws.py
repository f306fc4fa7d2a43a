"""The `aws` backend: text messages through Amazon SNS (`Publish` to a phone number), email
through Amazon SES (`SendEmail`), with the credentials botocore finds (environment, shared
files, instance role) and an optional endpoint URL (LocalStack, a proxy, a test double).

botocore, not boto3: it is already a dependency and boto3 adds nothing here but a wrapper."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from userpool.delivery import COGNITO_FROM, DeliveryError, EmailSettings, is_html
from userpool.domain.messages import Medium, Message

CLIENT_CONFIG = Config(
    connect_timeout=5, read_timeout=10, retries={"mode": "standard", "max_attempts": 2}
)
SMS_TYPE = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}


@dataclass(frozen=True)
class AwsSettings:
    endpoint_url: str | None = None
    region: str | None = None  # None: the region of the message's pool


class AwsBackend:
    def __init__(self, settings: AwsSettings) -> None:
        self._settings = settings
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()  # botocore clients are thread-safe; making them is not

    def rehearse(self, message: Message) -> None:
        """Nothing: a message to Amazon SNS or SES cannot be rehearsed without sending it."""

    def deliver(self, message: Message, email: EmailSettings) -> None:
        region = self._settings.region or message.pool_id.partition("_")[0]
        service = "sns" if message.medium == Medium.SMS else "ses"
        try:
            client = self._client(service, region)
            if service == "sns":
                client.publish(
                    PhoneNumber=message.destination,
                    Message=message.body,
                    MessageAttributes=SMS_TYPE,
                )
            else:
                client.send_email(**ses_request(message, email))
        except (BotoCoreError, ClientError) as error:
            raise DeliveryError(f"{service.upper()} in {region}: {error}") from error

    def _client(self, service: str, region: str) -> Any:
        with self._lock:
            client = self._clients.get((service, region))
            if client is None:  # made on first use: most servers never send through AWS
                client = botocore.session.get_session().create_client(
                    service,
                    region_name=region,
                    endpoint_url=self._settings.endpoint_url,
                    config=CLIENT_CONFIG,
                )
                self._clients[service, region] = client
            return client


def ses_request(message: Message, email: EmailSettings) -> dict[str, Any]:
    """SendEmail's parameters: the pool's sender, reply-to and configuration set when set."""
    kind = "Html" if is_html(message.body) else "Text"
    request: dict[str, Any] = {
        "Source": email.sender(COGNITO_FROM),
        "Destination": {"ToAddresses": [message.destination]},
        "Message": {
            "Subject": {"Data": message.subject or "", "Charset": "UTF-8"},
            "Body": {kind: {"Data": message.body, "Charset": "UTF-8"}},
        },
    }
    if email.source_arn:
        request["SourceArn"] = email.source_arn
    if email.reply_to:
        request["ReplyToAddresses"] = [email.reply_to]
    if email.configuration_set:
        request["ConfigurationSetName"] = email.configuration_set
    return request
