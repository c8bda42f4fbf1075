"""A staff directory to test with (the rotation's counters in memory are `tests.memory_store.MemoryRotation`)."""

from __future__ import annotations

import json
from typing import Any

from ponte.domain.staff import StaffDirectory, load_directory


def person(person_id: str, name: str, **changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": person_id,
        "name": name,
        "email": f"{person_id}@equipe.example",
        "locale": "pt-BR",
        "teams": ["sales"],
    }
    document.update(changes)
    return document


def directory_document(**changes: Any) -> dict[str, Any]:
    """Sales (Ana, Bia, Caio under Carla) take turns on new customers; uploads go to Bruno in the back office;
    Carla is the admin."""
    document: dict[str, Any] = {
        "people": [
            person("ana", "Ana Souza", phone="+5511987654321", manager="carla"),
            person("bia", "Bia Ramos", locale="es", manager="carla"),
            person("caio", "Caio Prado", locale="en", manager="carla"),
            person("bruno", "Bruno Lima", teams=["backoffice"], manager="carla"),
            person("carla", "Carla Mendes", phone="+5511912345678", teams=["sales", "collections"]),
        ],
        "teams": [
            {"id": "sales", "name": "Vendas"},
            {"id": "backoffice", "name": "Backoffice"},
            {"id": "collections", "name": "Cobrança"},
        ],
        "assignment": {
            "default": {"strategy": "round_robin", "team": "sales"},
            "sources": {"upload": {"strategy": "fixed", "person": "bruno"}},
        },
        "admins": ["carla"],
    }
    document.update(changes)
    return document


def directory(**changes: Any) -> StaffDirectory:
    return load_directory(json.dumps(directory_document(**changes)))


def with_people(*changed: dict[str, Any], **changes: Any) -> StaffDirectory:
    """The test directory with some people replaced (by id) or added."""
    document = directory_document(**changes)
    by_id = {p["id"]: p for p in document["people"]}
    by_id.update({p["id"]: p for p in changed})
    document["people"] = list(by_id.values())
    return load_directory(json.dumps(document))
