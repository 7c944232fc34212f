"""Sensors owned by orchestration (alert sensors for checks live in orchestration/quality.py)."""

from __future__ import annotations

sensors: list = []
