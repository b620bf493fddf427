"""The fact models against the parser contract, and the loader's own checks on parsed frames."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

import pandas as pd
import pytest
from django.db import models
from django.db import transaction

from ingest.loader import ErrorCollector
from ingest.loader import FactLoader
from ingest.models import FACT_MODELS
from ingest.models import AdsDailyFact
from ingest.models import AdsProfile
from ingest.models import RealtimeSalesFact
from ingest.models import RetailInventoryFact
from ingest.parsers.facts import FACT_COLUMNS
from ingest.parsers.facts import FACT_KEYS

_FIELD_KINDS: dict[str, tuple[type[models.Field], ...]] = {
    "text": (models.CharField, models.TextField),
    "date": (models.DateField,),
    "datetime": (models.DateTimeField,),
    "int": (models.BigIntegerField,),
    "bigint": (models.BigIntegerField,),
    "decimal": (models.DecimalField,),
}


@pytest.mark.parametrize("fact_table", sorted(FACT_COLUMNS))
def test_every_fact_table_has_a_model_with_its_columns_and_key(fact_table: str) -> None:
    model = FACT_MODELS[fact_table]
    fk_names = {"marketplace_id": "marketplace", "vendor_code": "vendor_code"}
    for name, kind in FACT_COLUMNS[fact_table]:
        field = model._meta.get_field(name if name in {f.name for f in model._meta.fields} else fk_names[name])
        if isinstance(field, models.ForeignKey):
            assert name in fk_names
            continue
        assert isinstance(field, _FIELD_KINDS[kind]), (fact_table, name, kind, type(field))
    foreign_keys = {f.name for f in model._meta.fields if isinstance(f, models.ForeignKey)}
    keys = [fk_names[k] if fk_names.get(k) in foreign_keys else k for k in FACT_KEYS[fact_table]]
    assert list(model.natural_key) == keys
    [constraint] = model._meta.constraints
    assert isinstance(constraint, models.UniqueConstraint)
    assert list(constraint.fields) == ["brand", *keys]  # the brand leads every natural key


@pytest.mark.parametrize("fact_table", sorted(FACT_COLUMNS))
def test_metrics_are_nullable(fact_table: str) -> None:
    model = FACT_MODELS[fact_table]
    keys = set(model.natural_key)
    for name, kind in FACT_COLUMNS[fact_table]:
        if kind in ("int", "decimal") and name not in keys:
            assert model._meta.get_field(name).null, f"{fact_table}.{name} must keep 'not reported' apart from 0"


def _inventory_frame(**values: object) -> pd.DataFrame:
    row: dict[str, object] = {name: None for name, _ in FACT_COLUMNS["retail_inventory"]}
    row.update(
        marketplace_id="ATVPDKIKX0DER",
        vendor_code="ACMEU",
        distributor_view="MANUFACTURING",
        selling_program="RETAIL",
        period_grain="WEEK",
        period_start=date(2024, 3, 3),
        period_end=date(2024, 3, 9),
        asin="B0AAAAAAA1",
        currency="USD",
    )
    row.update(values)
    return pd.DataFrame([row])


@pytest.mark.django_db
def test_values_that_do_not_fit_are_errors_naming_row_column_value_and_expectation(brand_a) -> None:
    frame = pd.concat(
        [
            _inventory_frame(sell_through_rate=Decimal("0.8812345")),  # fine: rounded to 6 places
            _inventory_frame(asin="B0AAAAAAA2", sellable_on_hand_inventory_cost=Decimal("1e15")),
            _inventory_frame(asin="B0AAAAAAA3TOOLONG"),
            _inventory_frame(asin="B0AAAAAAA4", vendor_code="OTHER"),
            _inventory_frame(asin="B0AAAAAAA5", unhealthy_inventory_cost=Decimal("1e40")),
            _inventory_frame(asin="B0AAAAAAA6", unhealthy_inventory_cost="twelve"),
        ],
        ignore_index=True,
    )
    errors = ErrorCollector()
    loader = FactLoader(
        model=RetailInventoryFact, brand=brand_a.brand, import_id=None, file_name="inv.csv", errors=errors
    )

    summary = loader.stage(iter([frame]))

    assert summary.rows == 1
    found = {(e.row, e.column): e for e in errors.kept}
    overflow = found[(2, "sellable_on_hand_inventory_cost")]
    assert overflow.value == "1E+15" and "smaller than 100,000,000,000,000" in overflow.expected
    too_long = found[(3, "asin")]
    assert too_long.value == "B0AAAAAAA3TOOLONG" and too_long.expected == "at most 10 characters"
    unknown = found[(4, "vendor_code")]
    assert unknown.value == "OTHER" and "register it first" in unknown.expected
    assert found[(5, "unhealthy_inventory_cost")].value == "1E+40"
    assert found[(6, "unhealthy_inventory_cost")].value == "twelve"
    assert errors.count == 5
    with transaction.atomic():
        counts = loader.apply(replaces_window=False, data_start=None, data_end=None)
    loader.drop_stage()
    assert counts.inserted == 1
    assert RetailInventoryFact.objects.get().sell_through_rate == Decimal("0.881235")  # half away from zero


@pytest.mark.django_db
def test_datetimes_are_stored_in_utc_and_compare_equal_on_reload(brand_a) -> None:
    start = datetime(2024, 3, 3, 14, 0, tzinfo=UTC)
    frame = pd.DataFrame(
        [
            {
                "marketplace_id": "ATVPDKIKX0DER",
                "vendor_code": "ACMEU",
                "asin": "B0AAAAAAA1",
                "start_time": start,
                "end_time": datetime(2024, 3, 3, 15, 0, tzinfo=UTC),
                "currency": "USD",
                "ordered_units": -2,  # cancellations can outnumber orders
                "ordered_revenue": Decimal("-19.98"),
            }
        ]
    )
    for expected_inserted in (1, 0):
        loader = FactLoader(
            model=RealtimeSalesFact, brand=brand_a.brand, import_id=None, file_name="rt.json", errors=ErrorCollector()
        )
        loader.stage(iter([frame.copy()]))
        with transaction.atomic():
            counts = loader.apply(replaces_window=False, data_start=None, data_end=None)
        loader.drop_stage()
        assert (counts.inserted, counts.unchanged) == (expected_inserted, 1 - expected_inserted)
    fact = RealtimeSalesFact.objects.get()
    assert fact.start_time == start and fact.ordered_units == -2 and fact.ordered_revenue == Decimal("-19.9800")


@pytest.mark.django_db
def test_ads_rows_without_a_profile_never_restate_other_rows(brand_a) -> None:
    """A console download without a profile id must not delete another account's rows of the same days."""

    def frame(campaign_id: int) -> pd.DataFrame:
        row: dict[str, object] = {name: None for name, _ in FACT_COLUMNS["ads_daily"]}
        row.update(
            profile_id="",
            marketplace_id="",
            ad_product="SP",
            report_type="spCampaigns",
            date=date(2024, 3, 3),
            campaign_id=campaign_id,
            ad_group_id=0,
            ad_id=0,
            asin="",
            impressions=10,
        )
        return pd.DataFrame([row])

    for campaign_id in (111, 222):
        loader = FactLoader(
            model=AdsDailyFact, brand=brand_a.brand, import_id=None, file_name="c.csv", errors=ErrorCollector()
        )
        loader.stage(iter([frame(campaign_id)]))
        with transaction.atomic():
            counts = loader.apply(replaces_window=True, data_start=date(2024, 3, 3), data_end=date(2024, 3, 3))
        loader.drop_stage()
        assert counts.deleted == 0
    assert sorted(AdsDailyFact.objects.values_list("campaign_id", flat=True)) == [111, 222]
    assert not AdsProfile.objects.exists()


def test_read_ahead_yields_in_order_and_raises_the_parsers_error_in_the_consumer() -> None:
    from ingest.loader import read_ahead
    from ingest.parsers.base import ParseError
    from ingest.parsers.base import RowError

    def chunks():
        for n in range(3):
            yield pd.DataFrame({"n": [n]})
        raise ParseError(RowError("cut.json", 3, None, None, "a complete JSON document"))

    seen = []
    with pytest.raises(ParseError, match=r"cut\.json"):
        for frame in read_ahead(chunks()):
            seen.append(int(frame["n"].iloc[0]))
    assert seen == [0, 1, 2]


def test_read_ahead_stops_the_parser_when_the_consumer_stops() -> None:
    from ingest.loader import read_ahead

    produced = []

    def chunks():
        for n in range(100):
            produced.append(n)
            yield pd.DataFrame({"n": [n]})

    reader = read_ahead(chunks(), depth=2)
    assert int(next(reader)["n"].iloc[0]) == 0
    reader.close()  # what an exception in the consumer does
    assert len(produced) < 10  # the parser did not run through the whole file
