"""Exception monitoring: the operations reports that tell which records are in exception right now."""

from ai_missions.tools import SystemContract, read

CONTRACT = SystemContract(
    "monitor",
    "Exception monitoring",
    (
        read(
            "monitor",
            "list_order_exceptions",
            "Every open order in exception right now, with its exception types and a detail per type.",
        ),
    ),
)
