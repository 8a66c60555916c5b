"""A person a composed message is for or from: address, name, role in a meeting, agency."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    email: str
    name: str = ""
    role: str = "REQ-PARTICIPANT"
    agency: str = ""
