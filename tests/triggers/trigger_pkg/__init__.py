"""A package importable from tests/triggers/, for a `python:module:function` handler."""
