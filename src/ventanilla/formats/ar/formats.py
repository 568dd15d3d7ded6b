"""What Django's Arabic formats lack: a short date with its time, day first as their
short date is (the marks keep the numbers in order inside right-to-left text)."""

SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y H:i"
