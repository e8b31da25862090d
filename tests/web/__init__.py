"""The web widget, its page and the socket.io channel, in a real browser where it matters."""
