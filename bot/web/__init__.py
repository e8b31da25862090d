"""The web app on port 8000: the widget demo page at ``/`` and staff review at ``/staff/``."""
