"""The warranty system's tool contract: what the mission and the simulated system agree on."""

from ai_missions.tools import SystemContract, read, write, write_lookup

CONTRACT = SystemContract(
    "warranty",
    "Warranty claims",
    (
        read("warranty", "list_open_claims", "Every open warranty claim, with its product's warranty and history."),
        read("warranty", "get_claim", "A claim with its product and the earlier claims on the same serial number."),
        write(
            "warranty", "approve_claim", "Approve a claim and issue its credit to the customer.", amount_arg="amount"
        ),
        write_lookup("warranty"),
    ),
)
