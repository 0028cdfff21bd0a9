"""The at-risk account mission: a ranked, reasoned morning brief over the whole book of B2B accounts, with
outreach drafted for each flagged account's owner and sent only with that owner's sign-off."""
