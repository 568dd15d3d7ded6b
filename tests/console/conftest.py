"""The console's dashboard reads the reports' hand-worked data set."""

from reports_data import directory, march  # noqa: F401 (fixtures)
