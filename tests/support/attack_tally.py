"""The attack campaign's tally: every test marked ``attack("42.1")`` is one attack tried on that issue item, and
refused when it passes (the attack was refused, or ended honestly). Each run (CI's included) ends with a line per
item, ``attacks on 42.1: tried N, refused N``, and ``scripts/campaign.py`` prints the same lines."""

from __future__ import annotations

from collections import defaultdict

import pytest

_PROPERTY = "attack_item"
_tried: dict[str, int] = defaultdict(int)
_refused: dict[str, int] = defaultdict(int)


def _item_order(item: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in item.split("."))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Note the item on the test's report (in an xdist worker too: user properties travel to the controller)."""
    marker = item.get_closest_marker("attack")
    if marker is not None and marker.args:
        item.user_properties.append((_PROPERTY, str(marker.args[0])))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    attacked = [value for name, value in report.user_properties if name == _PROPERTY]
    if not attacked:
        return
    finished = report.when == "call" or (report.when == "setup" and not report.passed)
    if not finished:
        return
    for item in attacked:
        _tried[item] += 1
        _refused[item] += int(report.passed)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _tried or hasattr(terminalreporter.config, "workerinput"):
        return
    terminalreporter.write_sep("=", "attack campaign")
    for item in sorted(_tried, key=_item_order):
        terminalreporter.write_line(f"attacks on {item}: tried {_tried[item]}, refused {_refused[item]}")
