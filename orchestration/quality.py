"""Data-quality asset checks and alert sensors (filled by the data-quality work)."""

quality_checks: list = []
quality_sensors: list = []
