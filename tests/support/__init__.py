"""Shared test infrastructure: the scripted model server and helpers."""
