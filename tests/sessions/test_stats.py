from __future__ import annotations

import pytest

from coda_ls.providers.base import Usage
from coda_ls.sessions import SessionStore


def test_stats_per_model(store: SessionStore) -> None:
    session = store.create_session()
    store.add_message(session.id, "user", "q1")
    for tokens in (100, 200):
        with store.start_reply(session.id, provider="oci", model="cohere") as reply:
            reply.append("x")
            reply.finish(
                usage=Usage(input_tokens=tokens, output_tokens=10, cached_tokens=50, cost=0.01),
                latency_ms=400,
                ttft_ms=100,
                tool_calls=[{"id": "a", "name": "read", "arguments": {}}],
            )
    store.add_message(session.id, "user", "q2")
    with (
        pytest.raises(RuntimeError),
        store.start_reply(session.id, provider="ollama", model="qwen"),
    ):
        raise RuntimeError("boom")
    store.add_message(
        session.id, "assistant", "", status="error", provider="ollama", model="qwen", error="500"
    )

    stats = store.stats(session.id)
    assert stats.user_messages == 2
    assert stats.requests == 4 and stats.errors == 1 and stats.interrupted == 1
    assert (stats.input_tokens, stats.output_tokens, stats.cached_tokens) == (300, 20, 100)
    assert stats.cost == pytest.approx(0.02)
    assert stats.api_time_ms >= 800 and stats.tool_calls == 2
    assert stats.avg_ttft_ms == pytest.approx(100)
    assert stats.cache_hit_rate == pytest.approx(100 / 300)
    by_label = {row.label: row for row in stats.by_model}
    assert set(by_label) == {"oci/cohere", "ollama/qwen"}
    oci = by_label["oci/cohere"]
    assert (oci.requests, oci.input_tokens, oci.cost, oci.api_time_ms) == (2, 300, 0.02, 800)
    assert oci.wall_time_ms > 0 and oci.tool_calls == 2
    qwen = by_label["ollama/qwen"]
    assert (qwen.requests, qwen.errors, qwen.cost) == (2, 1, None)
    assert stats.to_dict()["by_model"][0]["model"] == "cohere"


def test_stats_of_an_empty_session(store: SessionStore) -> None:
    stats = store.stats(store.create_session().id)
    assert stats.requests == 0 and stats.cost is None and stats.by_model == []
    assert stats.cache_hit_rate is None and stats.avg_ttft_ms is None
