"""A minimal socket.io client for tests, speaking the protocol as the widget's page does."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets


class Chat:
    """A minimal socket.io v5 client over a WebSocket, as a browser on the page would connect.

    (python-socketio's own client needs a newer aiohttp than Rasa allows for WebSockets, and its
    long-polling transport takes up to 30 s to disconnect.)
    """

    def __init__(self, connection: websockets.WebSocketClientProtocol) -> None:
        self.connection = connection

    @classmethod
    async def open(cls, rasa_url: str, origin: str) -> Chat:
        url = rasa_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        connection = await websockets.connect(url, origin=origin, open_timeout=10)
        chat = cls(connection)
        assert (await chat._packet()).startswith("0")  # engine.io open
        await connection.send("40")  # socket.io connect to namespace "/"
        assert (await chat._packet()).startswith("40")
        return chat

    async def _packet(self, timeout: float = 10) -> str:
        while True:
            packet = await asyncio.wait_for(self.connection.recv(), timeout)
            if packet == "2":  # engine.io ping
                await self.connection.send("3")
                continue
            return packet

    async def emit(self, event: str, data: Any) -> None:
        await self.connection.send("42" + json.dumps([event, data]))

    async def event(self, name: str, timeout: float = 10) -> Any:
        while True:
            packet = await self._packet(timeout)
            if packet.startswith("42"):
                event, *args = json.loads(packet[2:])
                if event == name:
                    return args[0] if args else None

    async def start(self, token: Any = None, session_id: Any = None) -> str:
        """Ask for a conversation (rejoining the token's, if valid); returns its id."""
        self.confirm = await self.request_session({"token": token, "session_id": session_id})
        return self.confirm["session_id"]

    async def request_session(self, data: Any) -> dict[str, Any]:
        await self.emit("session_request", data)
        return await self.event("session_confirm")

    async def say(
        self, session_id: str, text: Any, count: int = 1, timeout: float = 10
    ) -> list[dict[str, Any]]:
        await self.emit("user_uttered", {"message": text, "session_id": session_id})
        return [await self.event("bot_uttered", timeout) for _ in range(count)]

    async def close(self) -> None:
        await self.connection.close()

    async def replies(
        self, session_id: str, text: Any, first_timeout: float = 60, quiet: float = 3
    ) -> list[dict[str, Any]]:
        """Everything the bot says in answer to ``text``, until it has been quiet a while."""
        await self.emit("user_uttered", {"message": text, "session_id": session_id})
        messages = [await self.event("bot_uttered", timeout=first_timeout)]
        while True:
            try:
                messages.append(await self.event("bot_uttered", timeout=quiet))
            except asyncio.TimeoutError:
                return messages
