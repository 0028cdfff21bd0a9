"""The LangGraph server's ``@auth.on`` handlers, called as the server calls them (no server: the slow walk through
the SDK is ``tests/test_langgraph_server_auth.py``): what a request may ask of a run before anything runs, and
Studio's own sign-in, off unless the server's setting lets it read."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langgraph_sdk import Auth
from langgraph_sdk.auth.types import StudioUser

from ai_missions.langgraph_auth import (
    STUDIO_SETTING,
    create_run,
    create_thread,
    read_thread,
    run_problem,
    search_threads,
)


def ctx(user: Any, resource: str = "threads", action: str = "read") -> Auth.types.AuthContext:
    return Auth.types.AuthContext(permissions=[], user=user, resource=resource, action=action)  # type: ignore[arg-type]


def refused(call: Any) -> tuple[int, str]:
    with pytest.raises(Auth.exceptions.HTTPException) as caught:
        asyncio.run(call)
    return caught.value.status_code, str(caught.value.detail)


@pytest.mark.attack("42.2")
def test_studios_own_sign_in_names_no_account_and_reads_only_when_the_server_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    studio = StudioUser("langgraph-studio-user")
    monkeypatch.delenv(STUDIO_SETTING, raising=False)
    for call in (
        read_thread(ctx(studio), {"thread_id": "t"}),
        search_threads(ctx(studio, action="search"), {}),
        create_thread(ctx(studio, action="create"), {"metadata": {}}),
    ):
        status, why = refused(call)
        assert status == 403
        assert "missions token" in why
    monkeypatch.setenv(STUDIO_SETTING, "read")
    assert asyncio.run(read_thread(ctx(studio), {"thread_id": "t"})) is None
    assert asyncio.run(search_threads(ctx(studio, action="search"), {})) is None
    start = {"thread_id": "t", "assistant_id": "a", "kwargs": {"input": {"subject_id": "SO-1"}}, "metadata": {}}
    assert refused(create_thread(ctx(studio, action="create"), {"metadata": {}}))[0] == 403  # reads, never writes
    assert refused(create_run(ctx(studio, action="create_run"), start))[0] == 403


@pytest.mark.parametrize(
    ("value", "kwargs", "says"),
    [
        ({"thread_id": None}, {"input": {"subject_id": "SO-1"}}, "create a thread first"),
        ({"thread_id": "t"}, {"command": {"goto": "execute"}}, "Command(goto=...)"),
        ({"thread_id": "t"}, {"command": {"update": {"verdict": {}}, "resume": []}}, "Command(update=...)"),
        ({"thread_id": "t"}, {"command": {"resume": []}, "input": {"subject_id": "SO-1"}}, "not both"),
        ({"thread_id": "t"}, {"input": {}, "interrupt_after": ["gather"]}, "interrupt_after"),
        (
            {"thread_id": "t"},
            {"command": {"resume": []}, "config": {"configurable": {"checkpoint_id": "c"}}},
            "an earlier checkpoint",
        ),
        ({"thread_id": "t"}, {"input": {}, "webhook": "https://example.com"}, "webhook"),
        ({"thread_id": "t", "multitask_strategy": "rollback"}, {"input": {}}, "rolled back"),
    ],
)
def test_what_a_run_may_not_ask_is_named_before_it_starts(
    value: dict[str, Any], kwargs: dict[str, Any], says: str
) -> None:
    problem = run_problem(value, kwargs)
    assert problem is not None
    assert says in problem


def test_a_start_an_answer_or_going_on_is_a_run_a_client_may_ask_for() -> None:
    for kwargs in ({"input": {"subject_id": "SO-1"}}, {"command": {"resume": [{"type": "accept"}]}}, {}):
        assert run_problem({"thread_id": "t", "multitask_strategy": "reject"}, kwargs) is None
