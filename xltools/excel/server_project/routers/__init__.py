"""xlwings Server includes ``routers.custom.router`` from the project folder."""
