"""Budget control (the ERP's controlling module): each cost centre's budget for the year, what is committed
against it, and what is available. A simulated system of its own because each book owns whole system databases
and the commerce book owns the ERP's orders; in a company this is the ERP's budget ledger."""

from ai_missions.tools import SystemContract, read, write, write_lookup

CONTRACT = SystemContract(
    "budget",
    "ERP budget control",
    (
        read("budget", "get_budget", "A cost centre's budget, committed and available amounts for the year."),
        read("budget", "get_budget_context", "A cost centre's budget and an invoice's commitments, in one read."),
        write(
            "budget",
            "commit_budget",
            "Commit an invoice's amount against a cost centre's budget (never beyond what is available).",
            amount_arg="amount",
        ),
        write_lookup("budget"),
    ),
)
