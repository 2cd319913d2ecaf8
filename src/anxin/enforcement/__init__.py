"""Enforcement (issue 13): violations detected per merchant, the measures they bring, appeals
and rectification plans."""
