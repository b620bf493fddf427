"""Small text helpers for the messages pages and imports show."""

from __future__ import annotations


def counted(number: int, noun: str) -> str:
    """'1 invoice', '2 invoices', '1,500 backup lines' (regular plurals only)."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
