"""userpool: a self-hostable server that speaks the Amazon Cognito user-pool API."""

__version__ = "0.1.0"
