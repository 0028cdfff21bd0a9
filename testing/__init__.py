"""Test doubles for missions: a scripted chat model for the LLM reasoner, usable in tests and notebooks.

``langchain_core``'s ``GenericFakeChatModel`` raises on ``bind_tools``, which structured output needs; this one
returns itself, so ``with_structured_output`` parses the scripted tool calls like a real model's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from pydantic import Field

from ai_missions.kernel.grants import META_KEY, mint
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore
from ai_missions.services.governance import default_roster
from ai_missions.services.identity import Accounts


class ScriptedChatModel(GenericFakeChatModel):
    """Answers with the scripted messages in order; records every prompt it was given."""

    prompts: list[Any] = Field(default_factory=list)

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:
        return self

    def _generate(self, messages: list[Any], *args: Any, **kwargs: Any) -> Any:
        self.prompts.append(messages)
        return super()._generate(messages, *args, **kwargs)


def scripted(answers: Iterable[AIMessage]) -> ScriptedChatModel:
    return ScriptedChatModel(messages=iter(list(answers)), prompts=[])


def verdict_call(verdict: dict[str, Any], *, tokens: tuple[int, int] = (900, 120)) -> AIMessage:
    """The model's answer as a tool call to the structured-output schema."""
    return AIMessage(
        content="",
        tool_calls=[{"name": "MissionVerdict", "args": verdict, "id": "call-1", "type": "tool_call"}],
        usage_metadata={"input_tokens": tokens[0], "output_tokens": tokens[1], "total_tokens": sum(tokens)},
    )


#: The password test and demo accounts get (``missions accounts demo`` uses the same).
DEMO_PASSWORD = "missions-demo"


def signed_in_as(home: Any, name: str) -> dict[str, str]:
    """Environment for a CLI subprocess signed in as ``name`` (the demo roster's accounts are added if missing)."""
    from pathlib import Path

    accounts = Accounts(RunStore(runs_db(Path(home))))
    existing = {a.name for a in accounts.list()}
    for account, role in default_roster().items():
        if account not in existing:
            accounts.add(account, role, DEMO_PASSWORD, by="test")
    return {"MISSIONS_TOKEN": accounts.issue_token(name)}


def operator_grant(home: Any, tool: str, args: dict[str, Any]) -> dict[str, str]:
    """MCP ``_meta`` with a grant for one write a test makes on purpose (a change "in the world" outside any
    mission), signed with the home's key as an operator would."""
    from pathlib import Path

    key = args.get("idempotency_key")  # None when the call carries none: the grant says so too
    grant = mint(Path(home), decision_id="operator", index=0, tool=tool, args=args, key=key, by="test")  # type: ignore[arg-type]
    return {META_KEY: grant}


def cli_process(home: Any, *args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
    """``missions *args`` started on ``home`` in a process of its own (with ``env`` added to this process's
    environment), its output piped, not waited for: for a test (or the conformance kit) that kills it, races it
    against another or reads what it printed."""
    return subprocess.Popen(
        [sys.executable, "-m", "ai_missions.cli", *args],
        env={**os.environ, "MISSIONS_HOME": str(home), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
