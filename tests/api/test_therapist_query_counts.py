"""Every therapist list and dashboard endpoint runs the same number of queries for 1 row and for 50."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.api.therapist_helpers import NS, Desk, fill_practice, fill_timeline, make_desk

# name -> (method, body); every list and dashboard route of the therapist API.
LISTS: dict[str, tuple[str, dict[str, Any] | None]] = {
    "patient-list": ("get", None),
    "patient-search": ("post", {"query": "Ient"}),
    "appointment-list": ("get", None),
    "session-note-list": ("get", None),
    "mood-entry-list": ("get", None),
    "progress-entry-list": ("get", None),
    "financial-record-list": ("get", None),
    "tag-list": ("get", None),
    "dashboard-upcoming-appointments": ("get", None),
    "dashboard-active-patients": ("get", None),
    "dashboard-financial-summary": ("get", None),
    "dashboard-patient-balances": ("get", None),
}


def _count(desk: Desk, method: str, url: str, body: dict[str, Any] | None) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(desk.client, method)(url, body, format="json")
    assert response.status_code == 200, response.data
    return len(queries), response.data


def _rows(data: Any) -> int:
    return len(data["results"]) if isinstance(data, dict) and "results" in data else -1


@pytest.fixture
def desk(db: None) -> Desk:
    return make_desk()


def test_every_list_and_dashboard_costs_the_same_for_1_and_50_rows(desk: Desk) -> None:
    fill_practice(desk, 1)
    urls = {name: reverse(NS + name) for name in LISTS}
    one = {name: _count(desk, LISTS[name][0], url, LISTS[name][1]) for name, url in urls.items()}
    fill_practice(desk, 49, start_index=1)
    fifty = {name: _count(desk, LISTS[name][0], url, LISTS[name][1]) for name, url in urls.items()}

    for name in LISTS:
        if name not in ("tag-list", "dashboard-financial-summary"):
            assert _rows(one[name][1]) == 1, name
            assert _rows(fifty[name][1]) == 50, name
    assert fifty["dashboard-financial-summary"][1]["overdue_count"] == 50
    counts = {name: (one[name][0], fifty[name][0]) for name in LISTS}
    assert {name: a for name, (a, b) in counts.items()} == {name: b for name, (a, b) in counts.items()}
    print("query counts (1 row, 50 rows):", counts)
    # The token, its user and therapist are one query and the rate limit's window one upsert;
    # a paginated list adds its count and its page.
    assert {name: a for name, (a, b) in counts.items()} == {
        **dict.fromkeys(LISTS, 4),
        "session-note-list": 6,
        "dashboard-financial-summary": 3,
    }


@pytest.mark.parametrize("name", ["patient-summary", "patient-timeline"])
def test_the_patient_dashboards_cost_the_same_for_1_and_50_entries(desk: Desk, name: str) -> None:
    patient = fill_practice(desk, 1)[0]
    url = reverse(NS + name, kwargs={"pk": patient.pk})
    fill_timeline(patient, 1, first_day=date(2029, 1, 1))
    one, data_one = _count(desk, "get", url, None)
    fill_timeline(patient, 49, first_day=date(2028, 1, 1))
    fifty, data_fifty = _count(desk, "get", url, None)
    assert one == fifty
    if name == "patient-timeline":
        # one of each kind from fill_practice, then 1 resp. 50 of each kind
        assert len(data_one["events"]) == 3 + 3
        assert len(data_fifty["events"]) == 3 + 3 * 50
    print(f"{name} query count: {one}")
