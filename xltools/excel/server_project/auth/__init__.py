"""xltools' sign-in providers for xlwings Server (``XLWINGS_AUTH_PROVIDERS``).

xlwings Server imports ``auth.<provider>`` from the project folder first:
``tokens`` (xltools' tokens file) and ``entraid`` (xlwings Server's own Entra
ID provider, with a hook for an offline key set). The logic lives in
``xltools.excel``; these modules only plug it in.
"""
