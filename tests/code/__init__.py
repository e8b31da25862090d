"""The code itself: lint and type checks, so `make lint` stays clean."""
