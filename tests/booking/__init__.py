"""Booking and talk-to-a-person requests: the form, contact checks, storage, notifications."""
