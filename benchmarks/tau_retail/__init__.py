"""tau-bench retail as a benchmark of the support mission, kept in the eval layer: the benchmark's database and
write rules (:mod:`.emulator`), a task as a recorded support case (:mod:`.cases`), and the end-state runner with
its scripted customer (:mod:`.runner`). The mission is reached through its eval plugin only; a mission measuring
its own parts on the benchmark's tasks reaches this package through :mod:`ai_missions.evals.api`.

    python -m ai_missions.benchmarks.tau_retail /work/shared/benchmarks/tau-retail --messages unseen
"""

from ai_missions.benchmarks.tau_retail.emulator import (
    DEFAULT_PATH,
    MESSAGE_SETS,
    ORDER_ID,
    ActionRefused,
    Database,
    Task,
    apply,
    differences,
    load_database,
    load_first_messages,
    load_tasks,
    print_figures,
)
from ai_missions.benchmarks.tau_retail.runner import TaskResult, run, run_task

__all__ = [
    "DEFAULT_PATH",
    "MESSAGE_SETS",
    "ORDER_ID",
    "ActionRefused",
    "Database",
    "Task",
    "TaskResult",
    "apply",
    "differences",
    "load_database",
    "load_first_messages",
    "load_tasks",
    "print_figures",
    "run",
    "run_task",
]
