"""What the parcels app tells the rest of the project, so it need not know who listens.

`parcel_changed(parcel=…)`: added, edited, archived, or its events moved on (sent after commit).
`status_changed(change=…)`: a StatusChange row was written (sent after commit).
"""

from django.dispatch import Signal

parcel_changed = Signal()
status_changed = Signal()
