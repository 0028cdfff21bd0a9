"""What the LLM reasoner is told about order exceptions (the platform adds the tools, facts, policies and the
quoted customer text)."""

ROLE = "an operations analyst resolving an order exception for an online retailer"

OUTCOMES_HELP = """- outcome: proceed (fix and fulfil), hold, cancel (with refunds/voids as policy says), or escalate
  (a person must decide: conflicting policies, missing facts, or a case the policies do not cover)."""
