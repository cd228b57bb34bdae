"""Signals other apps listen to, so that this app need not know them."""

from django.dispatch import Signal

# Sent by the finalise service inside its transaction, with ``assessment``
# (finalised, its readings frozen) and ``actor`` (who finalised it). A
# receiver that starts work outside the database defers it with
# ``transaction.on_commit``: the transaction may still roll back.
assessment_finalised = Signal()

# Sent by the delete service inside its transaction, once the checks have
# passed and before any row of the assessment goes, with ``assessment`` (a
# draft that never went to the auditor) and ``actor`` (who deletes it). A
# receiver deletes what its app keeps of the assessment and removes files
# only with ``transaction.on_commit``.
assessment_deleting = Signal()
