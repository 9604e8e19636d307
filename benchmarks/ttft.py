"""Time to the first streamed chunk that Coda adds over the raw server / SDK.

For each provider, the same local server answers both a raw client and Coda's provider,
alternating, and the time from the call to the first text chunk is measured:

- Ollama: `coda_ls.providers.ollama` vs raw httpx streaming of /api/chat (scripted server).
- OpenAI-compatible: `coda_ls.providers.openai_compat` vs raw httpx SSE of
  /v1/chat/completions (scripted server).
- LiteLLM: `coda_ls.providers.litellm_provider` vs raw httpx SSE of /v1/chat/completions,
  and vs `litellm.acompletion` alone (to tell LiteLLM's own cost from Coda's).
- OCI: `coda_ls.providers.oci` vs the raw `oci` SDK (`chat(is_stream=True)` then the first
  SSE event), both against the local OCI stub with a throwaway RSA key.

    python benchmarks/ttft.py [--runs 50]

Target: Coda adds <= 10 ms (median) over the raw client.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from coda_ls.config import LiteLLMSettings, OCISettings, OllamaSettings, OpenAICompatSettings
from coda_ls.providers.base import ChatRequest, Message
from coda_ls.providers.litellm_provider import LiteLLMProvider, load_litellm
from coda_ls.providers.oci import formats
from coda_ls.providers.oci.provider import OCIProvider
from coda_ls.providers.ollama import OllamaProvider
from coda_ls.providers.openai_compat import OpenAICompatProvider
from tests.providers.oci_stub import OCIStub, StubReply
from tests.support.model_server import Reply, ScriptedModelServer

Probe = Callable[[], Awaitable[float]]
CHUNKS = ["first", " second", " third", " fourth"]


async def first_of(stream: AsyncIterator[Any], started: float) -> float:
    """Seconds from `started` to the first item of `stream`; the rest is drained."""
    elapsed = -1.0
    async for item in stream:
        if elapsed < 0 and getattr(item, "delta", True):
            elapsed = time.perf_counter() - started
    return elapsed


async def run(probes: dict[str, Probe], runs: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name in probes}
    for _ in range(5):  # warm up connections, imports and caches
        for probe in probes.values():
            await probe()
    for _ in range(runs):
        for name, probe in probes.items():  # alternate, so drift hits every column alike
            samples[name].append(await probe())
    return samples


def ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def scripted_server() -> ScriptedModelServer:
    return ScriptedModelServer(default_reply=Reply(chunks=CHUNKS))


async def ollama(runs: int) -> list[tuple[str, str, list[float], list[float]]]:
    with scripted_server() as server:
        provider = OllamaProvider(OllamaSettings(host=server.url))
        raw = httpx.AsyncClient(base_url=server.url, timeout=30)
        payload = {"model": "llama3.2:latest", "messages": [{"role": "user", "content": "hi"}]}
        request = ChatRequest(
            model="llama3.2:latest", messages=[Message(role="user", content="hi")]
        )

        async def raw_probe() -> float:
            started = time.perf_counter()
            async with raw.stream("POST", "/api/chat", json=payload) as response:
                return await first_of(response.aiter_lines(), started)

        async def coda_probe() -> float:
            return await first_of(provider.stream(request), time.perf_counter())

        samples = await run({"raw": raw_probe, "coda": coda_probe}, runs)
        await raw.aclose()
        await provider.aclose()
    return [("Ollama", "raw httpx", samples["raw"], samples["coda"])]


async def openai_compatible(runs: int) -> list[tuple[str, str, list[float], list[float]]]:
    with scripted_server() as server:
        base_url = server.url + "/v1"
        provider = OpenAICompatProvider("openai", OpenAICompatSettings(base_url=base_url))
        raw = httpx.AsyncClient(base_url=base_url, timeout=30)
        body = {
            "model": "llama3.2",
            "messages": [{"role": "user", "content": "hi"}],
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        request = ChatRequest(model="llama3.2", messages=[Message(role="user", content="hi")])

        async def raw_probe() -> float:
            started = time.perf_counter()
            async with raw.stream("POST", "/chat/completions", json=body) as response:
                return await first_of(response.aiter_lines(), started)

        async def coda_probe() -> float:
            return await first_of(provider.stream(request), time.perf_counter())

        samples = await run({"raw": raw_probe, "coda": coda_probe}, runs)
        await raw.aclose()
        await provider.aclose()
    return [("OpenAI", "raw httpx", samples["raw"], samples["coda"])]


async def litellm(runs: int) -> list[tuple[str, str, list[float], list[float]]]:
    litellm_module = load_litellm()
    with scripted_server() as server:
        api_base = server.url + "/v1"
        provider = LiteLLMProvider(LiteLLMSettings(api_base=api_base))
        raw = httpx.AsyncClient(base_url=api_base, timeout=30)
        messages = [{"role": "user", "content": "hi"}]
        request = ChatRequest(
            model="openai/llama3.2", messages=[Message(role="user", content="hi")]
        )

        async def raw_probe() -> float:
            started = time.perf_counter()
            body = {"model": "llama3.2", "messages": messages, "stream": True}
            async with raw.stream("POST", "/chat/completions", json=body) as response:
                return await first_of(response.aiter_lines(), started)

        async def litellm_probe() -> float:
            started = time.perf_counter()
            stream = await litellm_module.acompletion(
                model="openai/llama3.2",
                messages=messages,
                stream=True,
                api_base=api_base,
                api_key="none",
                stream_options={"include_usage": True},
            )
            return await first_of(_deltas(stream), started)

        async def coda_probe() -> float:
            return await first_of(provider.stream(request), time.perf_counter())

        samples = await run({"raw": raw_probe, "litellm": litellm_probe, "coda": coda_probe}, runs)
        await raw.aclose()
    return [
        ("LiteLLM", "raw httpx", samples["raw"], samples["coda"]),
        ("LiteLLM", "litellm.acompletion", samples["litellm"], samples["coda"]),
    ]


async def _deltas(stream: Any) -> AsyncIterator[Any]:
    async for part in stream:
        if part.choices and part.choices[0].delta.content:
            yield part


async def oci(runs: int) -> list[tuple[str, str, list[float], list[float]]]:
    import oci as sdk

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with tempfile.TemporaryDirectory() as tmp, OCIStub(key.public_key()) as stub:
        os.environ["XDG_CACHE_HOME"] = tmp  # the model list cache goes here, not to ~
        key_file = Path(tmp) / "key.pem"
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        )
        config_file = Path(tmp) / "config"
        config_file.write_text(
            "[DEFAULT]\nuser=ocid1.user.oc1..u\nfingerprint="
            + ":".join(["ab"] * 16)
            + f"\ntenancy=ocid1.tenancy.oc1..t\nregion=us-chicago-1\nkey_file={key_file}\n"
        )
        compartment = "ocid1.compartment.oc1..bench"
        settings = OCISettings(
            config_file=str(config_file), compartment_id=compartment, endpoint=stub.url
        )
        provider = OCIProvider(settings)
        client = sdk.generative_ai_inference.GenerativeAiInferenceClient(
            sdk.config.from_file(str(config_file)),
            service_endpoint=stub.url,
            retry_strategy=sdk.retry.NoneRetryStrategy(),
        )
        model = "meta.llama-3.3-70b-instruct"
        request = ChatRequest(model=model, messages=[Message(role="user", content="hi")])
        details = formats.build_chat_details(request, model, compartment, stream=True)

        def sdk_first() -> float:
            stub.script(StubReply(chunks=CHUNKS))
            started = time.perf_counter()
            events = client.chat(details).data.events()
            next(events)
            elapsed = time.perf_counter() - started
            for _ in events:
                pass
            return elapsed

        async def raw_probe() -> float:
            return sdk_first()  # on the loop's thread: the SDK alone, no executor hop

        async def coda_probe() -> float:
            stub.script(StubReply(chunks=CHUNKS))
            return await first_of(provider.stream(request), time.perf_counter())

        samples = await run({"raw": raw_probe, "coda": coda_probe}, runs)
        await provider.aclose()
    return [("OCI", "raw oci SDK", samples["raw"], samples["coda"])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    rows = []
    for bench in (ollama, openai_compatible, litellm, oci):
        rows.extend(asyncio.run(bench(args.runs)))
    print(f"time to first chunk, {args.runs} runs each (ms)")
    header = (
        f"{'provider':<9} {'baseline':<21} {'base p50':>8} {'coda p50':>8} "
        f"{'coda p95':>8} {'added p50':>9}  target"
    )
    print(header)
    print("-" * len(header))
    for name, baseline, raw, coda in rows:
        added = 1000 * (statistics.median(coda) - statistics.median(raw))
        verdict = "ok" if added <= 10 else "over"
        print(
            f"{name:<9} {baseline:<21} {ms(raw, 0.5):8.2f} {ms(coda, 0.5):8.2f} "
            f"{ms(coda, 0.95):8.2f} {added:9.2f}  {verdict} (<= 10)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
