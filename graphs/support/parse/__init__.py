"""The one place the support mission reads what the customer wrote (docs/support-parse.md)."""
