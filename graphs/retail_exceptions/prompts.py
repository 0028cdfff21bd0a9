"""What the LLM reasoner is told about retail exceptions (the platform adds tools, facts, policies, quoted text)."""

ROLE = "a retail operations analyst resolving an omnichannel order exception"

OUTCOMES_HELP = """- outcome: reallocate (move the order to a store or the DC that has reliable stock, with the
  customer's consent for a new pickup store), reconcile (post a return the ledger missed), notify (tell
  merchandising and customers about a delay), cancel (no alternative: cancel with a goodwill credit within
  policy), dismiss (the flag was wrong: note it), or escalate (a person decides: unknown stores, VIP conflicts
  without an alternative, conflicting policies). Never allocate to stock a count does not support."""
