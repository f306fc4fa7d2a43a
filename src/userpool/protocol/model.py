"""botocore's own `cognito-idp` service model: the list of operations and their shapes."""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session

SERVICE = "cognito-idp"
TARGET_PREFIX = "AWSCognitoIdentityProviderService."


@cache
def service_model() -> Any:
    return botocore.session.get_session().get_service_model(SERVICE)


# Documented as unauthenticated though the model still has botocore sign them: GetClientToken
# ("you can't use IAM credentials to authorize requests ... authorization comes from the app
# client's client secret", the developer guide). A signature sent anyway is not judged.
DOCUMENTED_UNAUTHENTICATED = frozenset({"GetClientToken"})


@cache
def unauthenticated_operations() -> frozenset[str]:
    """Operations Cognito serves without SigV4 (access token or client id instead)."""
    model = service_model()
    return frozenset(
        name
        for name in model.operation_names
        if model.operation_model(name).metadata.get("auth") == ["smithy.api#noAuth"]
        or model.operation_model(name).auth_type == "none"
        or name in DOCUMENTED_UNAUTHENTICATED
    )
