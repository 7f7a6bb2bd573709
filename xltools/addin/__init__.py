"""The xltools ribbon for both add-ins, and the desktop add-in (.xlam) builder.

``buttons`` is the one list of ribbon buttons: the Office.js manifest, the
task pane, the desktop ribbon XML and the VBA module are all generated from
it, so a button cannot exist in one add-in and not the other. No xlwings.
A front end: may import any layer below it and the other front ends.
"""
