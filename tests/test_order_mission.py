"""The order mission passes the conformance kit (``ai_missions.testing.conformance``), its slow checks included."""

from __future__ import annotations

from tests.support.conformance import conformance_home_fixture, conformance_test

conformance_home = conformance_home_fixture()
test_the_mission_passes_the_conformance_kit = conformance_test("order-exception", slow_by_default=True)
