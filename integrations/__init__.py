"""The simulated enterprise systems: each one module declaring its tables and its tools, one typed service function
per tool (:class:`.plugin.SimulatedSystem`), registered under the ``ai_missions.systems`` entry points; the seeded
books of business, the trigger scan, snapshots, and the MCP server built from a declaration.

Declarations: :mod:`.erp`, :mod:`.crm`, :mod:`.inventory`, :mod:`.payments`, :mod:`.shipping`, :mod:`.ap`,
:mod:`.purchasing`, :mod:`.receiving`, :mod:`.budget`, :mod:`.oms`, :mod:`.stores`, :mod:`.helpdesk`,
:mod:`.accounts`, :mod:`.monitor` (the registry: :mod:`.systems`; a database: :func:`.systems.connect`). Books:
:mod:`.books`. The scan: :func:`.scan.scan_exceptions`. Snapshots: :func:`.snapshot.export_snapshot`,
:func:`.snapshot.load_snapshot`. MCP: :func:`.system_server.build`, :func:`.serving.serve`.
"""
