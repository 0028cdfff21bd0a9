"""The kernel: what every other layer stands on and nothing in it reaches above.

Errors, settings, the specs (missions, tools, triggers, tiers, the eval plug-in), the registries' protocols, decisions,
the run store, signed records and the grant check. It imports no other package of ``ai_missions``
(docs/architecture.md, "Layers").
"""
