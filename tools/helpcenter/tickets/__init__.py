"""Tickets: the service that takes requests from the form and from chat, stores them durably,
and passes them on to the help desk (app → store → outbox → targets)."""
