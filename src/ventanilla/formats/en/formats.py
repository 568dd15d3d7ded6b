"""English short dates day first with the month in letters, read the same on both sides of
the Atlantic (6 Dec 2026, never 12/06/2026); the long formats stay Django's."""

SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
