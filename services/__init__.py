"""Platform services over the kernel: identity, governance and the one authorization point, co-approval and review,
the audit, and the gateway and sessions that reach the systems over MCP. Nodes, the runtime and the applications
stand on them; they never reach a node, the runtime, a mission or a simulated system (docs/architecture.md, "Layers").
"""
