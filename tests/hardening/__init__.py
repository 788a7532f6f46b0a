"""Hostile input: fuzzing, hostile workspaces, confinement. A package so that its conftest
is not a second top-level ``conftest`` module for mypy."""
