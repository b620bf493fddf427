"""Amazon Ads v3 report bodies through the pipeline: the body names neither its advertiser profile nor its
marketplace, so the importer passes them as import options; the profile is tied to one brand."""

from __future__ import annotations

import gzip
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from ingest.models import AdsDailyFact
from ingest.models import AdsProfile
from ingest.models import ReportImport
from ingest.services import report_import_create
from tests.fixtures import AMAZON_FORMATS

pytestmark = pytest.mark.django_db

Status = ReportImport.Status
SAMPLE = AMAZON_FORMATS / "ads_v3_spCampaigns_report_sample.json"
PROFILE = "3243723479236502"
US = "ATVPDKIKX0DER"


def _body() -> bytes:
    """Amazon's own spCampaigns example body, as the DAILY report it becomes with timeUnit DAILY (the sample is
    a SUMMARY report, whose startDate..endDate rows daily facts cannot hold), gzip-compressed like GZIP_JSON."""
    rows = json.loads(SAMPLE.read_text())
    for row in rows:
        row["date"] = row.pop("startDate")
        row.pop("endDate")
    return gzip.compress(json.dumps(rows).encode())


@pytest.fixture
def run(django_capture_on_commit_callbacks, upload):
    def run_import(brand, name: str, content: bytes, **kwargs) -> ReportImport:
        with django_capture_on_commit_callbacks(execute=True):
            report_import = report_import_create(brand=brand, uploaded_file=upload(name, content), **kwargs)
        report_import.refresh_from_db()
        return report_import

    return run_import


def test_ads_report_loads_with_the_profile_given_as_options(brand_a, brand_manager, run) -> None:
    report_import = run(
        brand_a.brand,
        "report.json.gz",
        _body(),
        user=brand_manager,
        options={"profile_id": PROFILE, "marketplace_id": US},
    )

    assert report_import.status == Status.SUCCEEDED, report_import.errors
    assert report_import.import_options == {"profile_id": PROFILE, "marketplace_id": US}
    assert report_import.fact_table == "ads_daily"
    assert report_import.rows_inserted == 2
    days = sorted(AdsDailyFact.objects.values_list("date", flat=True))
    # The body streams, so its first and last day are known only after the last row: still recorded.
    assert (report_import.data_start, report_import.data_end) == (days[0], days[-1])
    facts = AdsDailyFact.objects.order_by("ad_group_id")
    assert {(f.profile_id, f.marketplace_id) for f in facts} == {(PROFILE, US)}
    first = facts[0]
    assert (first.campaign_id, first.ad_group_id) == (158410630682987, 55720282058882)  # 64-bit ids kept
    assert (first.impressions, first.clicks, first.cost) == (3721, 10, Decimal("9.4500"))
    assert (first.purchases_1d, first.purchases_7d, first.purchases_14d, first.purchases_30d) == (2, 2, 2, 2)
    profile = AdsProfile.objects.get(profile_id=PROFILE)
    assert profile.brand == brand_a.brand  # the profile is registered to the importing brand


def test_another_brands_profile_is_refused(brand_a, brand_b, outsider, run) -> None:
    AdsProfile.objects.create(profile_id=PROFILE, brand=brand_a.brand)

    report_import = run(brand_b.brand, "report.json.gz", _body(), user=outsider, options={"profile_id": PROFILE})

    assert report_import.status == Status.FAILED
    [error] = report_import.errors
    assert (error["column"], error["value"]) == ("profile_id", PROFILE)
    assert "Bloom Garden" in error["expected"]
    assert not AdsDailyFact.objects.exists()


def test_the_same_bytes_for_another_profile_are_not_identical(brand_a, run) -> None:
    first = run(brand_a.brand, "r.json.gz", _body(), options={"profile_id": PROFILE, "marketplace_id": US})
    second = run(brand_a.brand, "r.json.gz", _body(), options={"profile_id": "999", "marketplace_id": US})

    assert first.status == second.status == Status.SUCCEEDED
    assert second.identical_to is None
    assert second.rows_inserted == 2
    assert AdsDailyFact.objects.count() == 4


def test_cli_passes_options(brand_a, tmp_path) -> None:
    path = tmp_path / "report.json.gz"
    path.write_bytes(_body())
    out = io.StringIO()

    call_command(
        "import_report",
        str(path),
        "--brand",
        "Acme Audio",
        "--option",
        f"profile_id={PROFILE}",
        "--option",
        f"marketplace_id={US}",
        "--sync",
        "--json",
        stdout=out,
    )

    line = json.loads(out.getvalue().splitlines()[-1])
    assert line["status"] == "SUCCEEDED" and line["rows"] == 2
    assert set(AdsDailyFact.objects.values_list("profile_id", flat=True)) == {PROFILE}


def test_api_passes_options(brand_a, brand_manager, api_for, upload, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(brand_manager).post(
            "/api/v1/imports/",
            {"file": upload("report.json.gz", _body()), "options": json.dumps({"profile_id": PROFILE})},
            format="multipart",
        )

    assert response.status_code == 201, response.json()
    assert response.json()["import_options"] == {"profile_id": PROFILE}
    assert set(AdsDailyFact.objects.values_list("profile_id", flat=True)) == {PROFILE}
