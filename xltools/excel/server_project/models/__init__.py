"""xlwings Server loads ``models.user.User`` from the project folder (upstream's override hook)."""
