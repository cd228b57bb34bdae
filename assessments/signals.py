"""Signals other apps listen to, so that this app need not know them."""

from django.dispatch import Signal

# Sent by the finalise service inside its transaction, with ``assessment``
# (finalised, its readings frozen) and ``actor`` (who finalised it). A
# receiver that starts work outside the database defers it with
# ``transaction.on_commit``: the transaction may still roll back.
assessment_finalised = Signal()
