"""The support mission: a customer's message becomes an investigated, approved and answered resolution."""
