"""Helpers for the tests that run real daemons (supervisord, circusd, nginx, gunicorn).

House rules they implement: temp dirs directly under /tmp with short names (AF_UNIX paths are
limited to 107 bytes), circusd only on ipc:// endpoints with multicast disabled, free 127.0.0.1
ports, a hard ``timeout`` around every daemon, and every process the daemon started recorded
by PID and killed by PID at the end (never by name).
"""
