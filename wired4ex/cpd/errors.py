"""The CPD package's refusals: one base class whose message is safe to show, and typed
subclasses the views map to statuses (never by reading the message)."""


class CpdError(ValueError):
    """A use case refused; the message is safe to show."""


class ClaimConflict(CpdError):
    """The claim is no longer in the state the request assumed (answered with 409)."""


class ClaimAlreadyDecided(ClaimConflict):
    """Someone decided the claim first."""


class ClaimChanged(ClaimConflict):
    """The claim changed after the reviewer opened it: the decision must be taken again."""


class ClaimFrozen(ClaimConflict):
    """A claim that was submitted (or decided) cannot be edited any more."""
