"""Normalised columns of every fact table, shared by the parsers (who fill them) and the loader.

Kinds: "text" (str, '' never means missing: use None), "date" (datetime.date), "datetime" (aware UTC
datetime), "int" (int or None; pandas Int64), "decimal" (decimal.Decimal or None; money and rates),
"bigint" (64-bit ids as int). Every metric is nullable: None means "not reported", never 0.
Money columns travel with a `currency` column; rates are fractions (0.25 = 25 %).

Key columns (the natural key the loader upserts on) come first and are listed in FACT_KEYS.
For retail facts `asin` is '' on aggregate rows (the whole catalogue), so the key has no NULLs.
"""

from __future__ import annotations

# Shared period key of Retail Analytics facts (SP-API documents and Vendor Central exports alike).
_RETAIL_KEY = [
    ("marketplace_id", "text"),
    ("vendor_code", "text"),  # '' when the document does not name one and none was given
    ("distributor_view", "text"),  # MANUFACTURING | SOURCING | '' (traffic, net PPM)
    ("selling_program", "text"),  # RETAIL | BUSINESS | FRESH | ''
    ("period_grain", "text"),  # DAY | WEEK | MONTH | QUARTER | YEAR
    ("period_start", "date"),
    ("period_end", "date"),
    ("asin", "text"),  # '' = aggregate row
]

FACT_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "retail_sales": [
        *_RETAIL_KEY,
        ("currency", "text"),
        ("ordered_revenue", "decimal"),
        ("ordered_units", "int"),
        ("shipped_cogs", "decimal"),
        ("shipped_revenue", "decimal"),
        ("shipped_units", "int"),
        ("customer_returns", "int"),
    ],
    "retail_inventory": [
        *_RETAIL_KEY,
        ("currency", "text"),
        ("net_received_inventory_cost", "decimal"),
        ("net_received_inventory_units", "int"),
        ("open_purchase_order_units", "int"),
        ("average_vendor_lead_time_days", "decimal"),
        ("sell_through_rate", "decimal"),
        ("unfilled_customer_ordered_units", "int"),
        ("sellable_on_hand_inventory_cost", "decimal"),
        ("sellable_on_hand_inventory_units", "int"),
        ("unsellable_on_hand_inventory_cost", "decimal"),
        ("unsellable_on_hand_inventory_units", "int"),
        ("aged_90_plus_days_sellable_inventory_cost", "decimal"),
        ("aged_90_plus_days_sellable_inventory_units", "int"),
        ("unhealthy_inventory_cost", "decimal"),
        ("unhealthy_inventory_units", "int"),
        ("procurable_product_out_of_stock_rate", "decimal"),
        ("sourceable_product_out_of_stock_rate", "decimal"),
        ("uft", "decimal"),
        ("receive_fill_rate", "decimal"),
        ("vendor_confirmation_rate", "decimal"),
    ],
    "retail_traffic": [*_RETAIL_KEY, ("glance_views", "int")],
    "retail_net_ppm": [*_RETAIL_KEY, ("net_pure_product_margin", "decimal")],
    "retail_forecast": [
        ("marketplace_id", "text"),
        ("vendor_code", "text"),
        ("selling_program", "text"),
        ("forecast_generation_date", "date"),
        ("asin", "text"),
        ("period_start", "date"),
        ("period_end", "date"),
        ("mean_forecast_units", "decimal"),
        ("p70_forecast_units", "decimal"),
        ("p80_forecast_units", "decimal"),
        ("p90_forecast_units", "decimal"),
    ],
    # Real-time (hourly) reports: one row per ASIN per UTC hour.
    "realtime_sales": [
        ("marketplace_id", "text"),
        ("vendor_code", "text"),
        ("asin", "text"),
        ("start_time", "datetime"),
        ("end_time", "datetime"),
        ("currency", "text"),
        ("ordered_units", "int"),
        ("ordered_revenue", "decimal"),
    ],
    "realtime_inventory": [
        ("marketplace_id", "text"),
        ("vendor_code", "text"),
        ("asin", "text"),
        ("start_time", "datetime"),
        ("end_time", "datetime"),
        ("highly_available_inventory", "int"),
    ],
    "realtime_traffic": [
        ("marketplace_id", "text"),
        ("vendor_code", "text"),
        ("asin", "text"),
        ("start_time", "datetime"),
        ("end_time", "datetime"),
        ("glance_views", "int"),
    ],
    # Promotion performance: one row per promotion and ASIN; asin '' = the promotion's totals.
    "promotion_result": [
        ("marketplace_id", "text"),
        ("vendor_code", "text"),
        ("promotion_id", "text"),
        ("asin", "text"),
        ("promotion_name", "text"),
        ("product_name", "text"),
        ("funding_agreement_id", "text"),
        ("promotion_type", "text"),
        ("status", "text"),
        ("creation_channel", "text"),
        ("start_at", "datetime"),
        ("end_at", "datetime"),
        ("created_at_amazon", "datetime"),
        ("last_updated_at", "datetime"),
        ("currency", "text"),
        ("units_sold", "int"),
        ("revenue", "decimal"),
        ("amount_spent", "decimal"),
        ("glance_views", "int"),
    ],
    # Coupon performance: one row per coupon (campaign fields repeated on each).
    "coupon_result": [
        ("marketplace_id", "text"),
        ("vendor_code", "text"),
        ("campaign_id", "text"),
        ("coupon_id", "text"),
        ("campaign_name", "text"),
        ("budget_type", "text"),
        ("start_at", "datetime"),
        ("end_at", "datetime"),
        ("currency", "text"),
        ("campaign_total_budget", "decimal"),
        ("clips", "int"),
        ("redemptions", "int"),
        ("budget", "decimal"),
        ("budget_spent", "decimal"),
        ("total_discount", "decimal"),
        ("budget_percentage_used", "decimal"),
    ],
    # Amazon Ads v3 / console reports: one row per day and entity. The attribution window is part
    # of the column name (sales_7d, sales_14d, ...); SB/SD's unsuffixed 14-day metrics go to *_14d.
    "ads_daily": [
        ("profile_id", "text"),  # advertiser profile / account; '' when the file does not say
        ("marketplace_id", "text"),
        ("ad_product", "text"),  # SP | SB | SD
        ("report_type", "text"),  # spCampaigns, spAdvertisedProduct, ...
        ("date", "date"),
        ("campaign_id", "bigint"),
        ("ad_group_id", "bigint"),  # 0 when the report is not grouped by ad group
        ("ad_id", "bigint"),  # 0 when not applicable
        ("asin", "text"),  # advertised/promoted/purchased ASIN, '' when not applicable
        ("campaign_name", "text"),
        ("currency", "text"),
        ("impressions", "int"),
        ("clicks", "int"),
        ("cost", "decimal"),
        ("sales_1d", "decimal"),
        ("sales_7d", "decimal"),
        ("sales_14d", "decimal"),
        ("sales_30d", "decimal"),
        ("purchases_1d", "int"),
        ("purchases_7d", "int"),
        ("purchases_14d", "int"),
        ("purchases_30d", "int"),
        ("units_sold_7d", "int"),
        ("units_sold_14d", "int"),
        ("same_sku_sales_7d", "decimal"),
        ("same_sku_sales_14d", "decimal"),
        ("new_to_brand_sales_14d", "decimal"),
    ],
    # Marketing Stream hourly deltas after de-duplication on idempotency_id.
    "ams_hourly": [
        ("idempotency_id", "text"),
        ("dataset_id", "text"),
        ("advertiser_id", "text"),
        ("marketplace_id", "text"),
        ("time_window_start", "datetime"),
        ("campaign_id", "text"),
        ("ad_group_id", "text"),
        ("ad_id", "text"),
        ("target_id", "text"),  # keyword_id for SP/SB, target_id for SD
        ("placement", "text"),
        ("currency", "text"),
        ("impressions", "int"),
        ("clicks", "int"),
        ("cost", "decimal"),
        ("attributed_sales_1d", "decimal"),
        ("attributed_sales_7d", "decimal"),
        ("attributed_sales_14d", "decimal"),
        ("attributed_sales_30d", "decimal"),
        ("attributed_conversions_14d", "int"),
        ("attributed_units_ordered_14d", "int"),
    ],
    # Purchase-order lines from vendorOrders getPurchaseOrders and purchaseOrdersStatus (eaches).
    "purchase_order_line": [
        ("vendor_code", "text"),
        ("po_number", "text"),
        ("item_sequence", "text"),
        ("asin", "text"),
        ("vendor_product_id", "text"),
        ("po_state", "text"),
        ("po_type", "text"),
        ("po_date", "datetime"),
        ("ship_to", "text"),
        ("ship_window_start", "datetime"),
        ("ship_window_end", "datetime"),
        ("delivery_window_start", "datetime"),
        ("delivery_window_end", "datetime"),
        ("currency", "text"),
        ("net_cost", "decimal"),  # per each
        ("ordered_units", "int"),
        ("accepted_units", "int"),
        ("rejected_units", "int"),
        ("received_units", "int"),
        ("confirmation_status", "text"),
        ("receive_status", "text"),
        ("last_receive_date", "datetime"),
    ],
    # ASN lines (shipmentConfirmations) and shipment status (GET shipments).
    "shipment_line": [
        ("vendor_code", "text"),
        ("shipment_id", "text"),
        ("po_number", "text"),
        ("item_sequence", "text"),
        ("asin", "text"),
        ("confirmation_type", "text"),
        ("shipment_type", "text"),
        ("ship_to", "text"),
        ("confirmed_at", "datetime"),
        ("shipped_at", "datetime"),
        ("estimated_delivery_at", "datetime"),
        ("delivered_at", "datetime"),
        ("status", "text"),
        ("shipped_units", "int"),
    ],
}

FACT_KEYS: dict[str, list[str]] = {
    "retail_sales": [c for c, _ in _RETAIL_KEY],
    "retail_inventory": [c for c, _ in _RETAIL_KEY],
    "retail_traffic": [c for c, _ in _RETAIL_KEY],
    "retail_net_ppm": [c for c, _ in _RETAIL_KEY],
    "retail_forecast": [
        "marketplace_id",
        "vendor_code",
        "selling_program",
        "forecast_generation_date",
        "asin",
        "period_start",
    ],
    "realtime_sales": ["marketplace_id", "vendor_code", "asin", "start_time"],
    "realtime_inventory": ["marketplace_id", "vendor_code", "asin", "start_time"],
    "realtime_traffic": ["marketplace_id", "vendor_code", "asin", "start_time"],
    "promotion_result": ["marketplace_id", "promotion_id", "asin"],
    "coupon_result": ["marketplace_id", "campaign_id", "coupon_id"],
    "ads_daily": ["profile_id", "marketplace_id", "report_type", "date", "campaign_id", "ad_group_id", "ad_id", "asin"],
    "ams_hourly": ["idempotency_id"],
    "purchase_order_line": ["vendor_code", "po_number", "item_sequence"],
    "shipment_line": ["vendor_code", "shipment_id", "po_number", "item_sequence"],
}
