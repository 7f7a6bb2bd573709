"""The quarterly returns cycle: issue returns, take them in, merge and consolidate,
check a return, roll the master to next quarter.

Built on ``workbook``; may use ``legacy``, ``reporting`` and ``savings`` (check
shares the flags' idea of an empty update; next quarter carries savings).
"""
