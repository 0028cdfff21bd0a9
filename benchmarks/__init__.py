"""Public benchmarks a mission is measured on, each an extension over the platform: its environment (registered
under ``ai_missions.environments``) and its adapter, which reaches a mission through its eval plugin and the graph,
never the platform reaching it."""
