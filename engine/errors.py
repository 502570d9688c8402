"""The one base class of every error a user can cause (bad file, bad value, bad rule)."""


class EligError(Exception):
    """A user-facing error: its message says where, what, and what is allowed."""
