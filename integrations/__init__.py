"""The simulated enterprise systems (ERP, CRM, inventory, payments, shipping): storage, services, the seeded book
of business, the trigger scan, snapshots and one MCP server per system.

Services (plain functions over a system's SQLite connection, ``store.connect(system, home)``): :mod:`.erp`,
:mod:`.crm`, :mod:`.inventory`, :mod:`.payments`, :mod:`.shipping`. Book: :func:`.seed.seed_book`,
:func:`.seed.story_order_id`, :func:`.scan.scan_exceptions`, :func:`.snapshot.export_snapshot`,
:func:`.snapshot.load_snapshot`. MCP: :func:`.serving.build_server`, :func:`.serving.serve`,
:func:`.connections.stdio_connections`.
"""
