"""The retail-exceptions mission: omnichannel order exceptions (store pickup, phantom stock, inbound delays,
unreconciled returns, VIP stock conflicts) resolved within action tiers the business sets."""
