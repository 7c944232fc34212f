"""GX suites as Python functions: every raw table and every mart the reports read."""

from expectations.suites.common import SuiteSpec
from expectations.suites.marts import MART_SUITES
from expectations.suites.raw import RAW_SUITES

ALL_SUITES: list[SuiteSpec] = [*RAW_SUITES, *MART_SUITES]

__all__ = ["ALL_SUITES", "MART_SUITES", "RAW_SUITES", "SuiteSpec"]
