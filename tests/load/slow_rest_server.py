"""The real REST channel (``GuardedRestInput``, with its overload limiter) in front of a held bot.

``python -m tests.load.slow_rest_server PORT``: the bot answers "answer: <text>", but only once
``POST /gate/open`` is called (``POST /gate/close`` holds it again), so test_overload.py can fill
the queue deterministically without a model. ``GET /state`` tells how many are inside and waiting.
"""

from __future__ import annotations

import asyncio
import sys

from rasa.core.channels.channel import UserMessage
from sanic import Sanic, response

from bot.channels import overload
from bot.channels.rest import GuardedRestInput

gate = asyncio.Event()


async def held_bot(message: UserMessage) -> None:
    await gate.wait()
    await message.output_channel.send_text_message(message.sender_id, f"answer: {message.text}")


def main() -> None:
    from bot.safety.detector import assess

    assess("hello")  # built and warm before serving, as the Rasa server's safety net is
    app = Sanic("slow_rest_server")
    app.blueprint(GuardedRestInput().blueprint(held_bot), url_prefix="/webhooks/rest")

    @app.post("/gate/<state>")
    async def set_gate(request, state: str):
        gate.set() if state == "open" else gate.clear()
        return response.json({"gate": state})

    @app.get("/state")
    async def state(request):
        limiter = overload.limiter()
        return response.json({"active": limiter.active, "waiting": len(limiter._waiting)})

    app.run("127.0.0.1", int(sys.argv[1]), workers=1, access_log=False)


if __name__ == "__main__":
    main()
