"""The support mission's recorded tickets, their independent labeller, the scoring replay and the importer."""
