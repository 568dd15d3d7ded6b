"""Date formats Django lacks or writes ambiguously: English day first with the month in
words (never 12/06/2026), Arabic's short date with a time, and Tamazight's."""
