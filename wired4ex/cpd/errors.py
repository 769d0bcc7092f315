"""The CPD package's refusals: one base class whose message is safe to show."""


class CpdError(ValueError):
    """A use case refused; the message is safe to show."""
