"""The order-exception mission: an order in payment review, oversold, with phantom stock, an invalid address, a
duplicate or a double charge. ``spec.SPEC`` registers it; ``graph.graph`` is the exported LangGraph graph."""
