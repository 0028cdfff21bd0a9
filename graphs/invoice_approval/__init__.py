"""The invoice-approval mission: an invoice awaiting approval is matched against its purchase order, goods
receipts, the vendor's bank history, similar invoices and the cost centre's budget, and a verdict is proposed
(approve, approve with note, hold, reject or escalate). ``spec.SPEC`` registers it; ``graph.graph`` is the
exported LangGraph graph."""
