"""Texts per area: each module exports ENTRIES, a notification kind's facts and its texts per locale."""
