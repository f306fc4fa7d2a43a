"""Placeholder: operations are added here."""
