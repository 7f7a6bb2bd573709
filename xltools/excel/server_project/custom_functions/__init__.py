"""xltools' cell functions, as xlwings Server loads them (``import custom_functions``)."""

from xltools.excel.functions import *  # noqa: F403
