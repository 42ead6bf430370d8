"""One chat-completions call to the team's own endpoint (OpenAI-compatible: Ollama, llama.cpp's
server, vLLM), with the standard library's http.client.

http.client follows no redirect and reads no proxy variable: the prompt goes to `base_url` and
nowhere else. One call sends the model's name, the messages, `temperature: 0` and
`stream: false`, and the key (from the variable `api_key_env` names) as a Bearer token.
"""

from __future__ import annotations

import http.client
import json
import os
import ssl
import time
from urllib.parse import urlsplit

from recapmail.config import LlmConfig
from recapmail.drafting.prompt import Message

MAX_ANSWER_BYTES = 1_000_000


class EndpointError(Exception):
    """The endpoint did not give an answer; the message says what happened, for the warning."""


def complete(llm: LlmConfig, messages: list[Message]) -> str:
    """The text of the model's first choice."""
    parts = urlsplit(llm.base_url)
    try:
        parts.port  # noqa: B018 (a bad port raises here, not in the middle of a digest)
    except ValueError as exc:
        raise EndpointError(f"is not a valid address ({exc})") from None
    path = (parts.path.rstrip("/") or "") + "/chat/completions"
    body = json.dumps(
        {"model": llm.model, "messages": messages, "temperature": 0, "stream": False}
    ).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    key = os.environ.get(llm.api_key_env, "") if llm.api_key_env else ""
    if key:
        headers["Authorization"] = f"Bearer {key}"
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(
            parts.hostname or "", parts.port, timeout=llm.timeout,
            context=ssl.create_default_context(),
        )  # fmt: skip
    else:
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=llm.timeout)
    deadline = time.monotonic() + llm.timeout
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        data = _body(response, deadline)
    except TimeoutError:
        raise EndpointError(f"no answer within {llm.timeout:g} s ([llm] timeout)") from None
    except (OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise EndpointError(f"cannot reach it ({reason})") from None
    finally:
        conn.close()
    if response.status != 200:
        known = {429: " (too many requests)", 401: " (check api_key_env)", 404: " (check model)"}
        raise EndpointError(f"HTTP {response.status}{known.get(response.status, '')}")
    if len(data) > MAX_ANSWER_BYTES:
        raise EndpointError("its answer is larger than 1 MB")
    return _content(data)


def _body(response: http.client.HTTPResponse, deadline: float) -> bytes:
    """The body, within the deadline as a whole: a server trickling bytes slower than the
    socket's timeout would otherwise hold a run for ever."""
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read1(65536):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            break
        if time.monotonic() > deadline:
            raise TimeoutError
    return b"".join(chunks)


def _content(data: bytes) -> str:
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError):
        raise EndpointError("its answer is not JSON") from None
    try:
        content = parsed["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise EndpointError("its answer has no choices[0].message.content") from None
    if not isinstance(content, str):
        raise EndpointError("its answer has no text in choices[0].message.content")
    return content
