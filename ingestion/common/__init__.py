"""Helpers every source shares: HTTP with retries, secret redaction, phones, configuration."""
