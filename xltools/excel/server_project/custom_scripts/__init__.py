"""xltools' ribbon scripts, as xlwings Server loads them (``import custom_scripts``)."""

from xltools.excel.scripts import *  # noqa: F403
