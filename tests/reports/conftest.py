"""The reports' tests share the hand-worked data set with the console's dashboard."""

from reports_data import directory, march  # noqa: F401 (fixtures)
