"""Django admin: every planning model's pages render for a superuser; Marketplace stays read-mostly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from planning.jbp_models import JBPInitiative
from planning.jbp_models import JBPInvestment
from planning.jbp_models import JBPPlan
from planning.jbp_models import JBPPlanTransition
from planning.jbp_models import JBPTarget
from planning.jbp_models import LaunchCertificate
from planning.jbp_models import LaunchPlan
from planning.models import Brand
from planning.models import CostPriceHistory
from planning.models import Marketplace
from planning.models import Membership
from planning.models import Product
from planning.models import VendorCode
from tests.factories import CostPriceFactory
from tests.factories import MembershipFactory
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

CATALOG_MODELS = [Brand, Marketplace, VendorCode, Product, CostPriceHistory, Membership]
JBP_MODELS = [JBPPlan, JBPPlanTransition, JBPTarget, JBPInvestment, JBPInitiative, LaunchPlan, LaunchCertificate]
PLANNING_MODELS = CATALOG_MODELS + JBP_MODELS


@pytest.fixture
def admin_client_with_data(admin_client, brand_a, brand_manager):
    product = ProductFactory.create(vendor_code=brand_a.vendor_code, asin="B0ADMIN001", title="Admin headphones")
    CostPriceFactory.create(product=product)
    plan = JBPPlan.objects.create(
        brand=brand_a.brand,
        marketplace=brand_a.vendor_code.marketplace,
        plan_year=2026,
        series="Q3",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        currency="USD",
    )
    JBPPlanTransition.objects.create(plan=plan, from_status="", to_status=JBPPlan.Status.DRAFT, actor=brand_manager)
    JBPTarget.objects.create(
        plan=plan,
        metric="SHIPPED_COGS",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 7, 31),
        target_value=Decimal("100000.00"),
    )
    JBPInvestment.objects.create(
        plan=plan,
        type=JBPInvestment.Type.COOP_MDF,
        committed_amount=Decimal("25000.00"),
        currency="USD",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
    )
    JBPInitiative.objects.create(plan=plan, title="A+ content for the top 20 ASINs")
    launch = LaunchPlan.objects.create(
        plan=plan, product=product, title="Admin headphones gen 2", launch_week=date(2026, 8, 2)
    )
    LaunchCertificate.objects.create(launch=launch, kind=LaunchCertificate.Kind.FCC, reference="FCC-123")
    return admin_client


def test_every_planning_model_is_registered():
    # Historical (simple_history) models are audit tables, reached through each object's History page.
    models = {m for m in apps.get_app_config("planning").get_models() if not m.__name__.startswith("Historical")}
    unregistered = {m.__name__ for m in models if m not in admin.site._registry}
    assert unregistered == set()
    assert set(PLANNING_MODELS) <= models


@pytest.mark.parametrize("model", PLANNING_MODELS, ids=lambda m: m.__name__)
def test_changelist_search_and_change_pages_render(admin_client_with_data, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    response = admin_client_with_data.get(changelist)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1

    assert admin_client_with_data.get(changelist, {"q": "a"}).status_code == 200
    obj = model._default_manager.first()
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert admin_client_with_data.get(change).status_code == 200


@pytest.mark.parametrize(
    "model",
    [Brand, VendorCode, Product, CostPriceHistory, Membership, JBPPlan, JBPTarget, JBPInvestment, LaunchPlan],
    ids=lambda m: m.__name__,
)
def test_add_pages_render(admin_client, model):
    opts = model._meta
    assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200


def test_product_search_finds_by_asin_and_gtin(admin_client_with_data):
    url = reverse("admin:planning_product_changelist")
    product = Product.objects.get(asin="B0ADMIN001")
    by_asin = admin_client_with_data.get(url, {"q": "B0ADMIN001"})
    assert [p.pk for p in by_asin.context["cl"].result_list] == [product.pk]
    by_gtin = admin_client_with_data.get(url, {"q": product.gtin})
    assert [p.pk for p in by_gtin.context["cl"].result_list] == [product.pk]


def test_marketplaces_cannot_be_added_or_deleted(admin_client):
    us = Marketplace.objects.get(amazon_marketplace_id="ATVPDKIKX0DER")
    assert admin_client.get(reverse("admin:planning_marketplace_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:planning_marketplace_delete", args=[us.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Marketplace.objects.filter(pk=us.pk).exists()
    # Amazon's id is not editable: a change page posting another id leaves it untouched
    page = admin_client.get(reverse("admin:planning_marketplace_change", args=[us.pk]))
    assert b'name="amazon_marketplace_id"' not in page.content


def test_foreign_keys_use_autocomplete(admin_client, brand_a):
    page = admin_client.get(reverse("admin:planning_product_add")).content.decode()
    for field in ("brand", "vendor_code", "marketplace"):
        assert f'id="id_{field}"' in page
    assert page.count("admin-autocomplete") >= 3
    autocomplete = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "planning", "model_name": "product", "field_name": "vendor_code", "term": "ACME"},
    )
    assert autocomplete.status_code == 200
    assert [r["text"] for r in autocomplete.json()["results"]] == ["ACMEU · US"]


def test_membership_changes_are_kept_in_history(admin_client, brand_a, brand_b, brand_manager):
    membership = Membership.objects.get(user=brand_manager)
    url = reverse("admin:planning_membership_change", args=[membership.pk])
    response = admin_client.post(
        url, {"user": brand_manager.pk, "brand": brand_a.brand.pk, "role": Membership.Role.VIEWER}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Membership.Role.VIEWER
    history = list(membership.history.order_by("history_date").values_list("role", flat=True))
    assert history == [Membership.Role.BRAND_MANAGER, Membership.Role.VIEWER]
    page = admin_client.get(reverse("admin:planning_membership_history", args=[membership.pk]))
    assert page.status_code == 200
    assert "Viewer" in page.content.decode()


def test_admin_is_closed_to_non_staff_members(client_for, brand_manager):
    response = client_for(brand_manager).get(reverse("admin:planning_product_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_lists_every_brand(admin_client, brand_b):
    # The admin is for staff and is deliberately not tenant-scoped: they administer every brand.
    MembershipFactory.create(brand=brand_b.brand)
    response = admin_client.get(reverse("admin:planning_membership_changelist"))
    assert "Bloom Garden" in response.content.decode()


def test_jbp_workflow_fields_and_log_are_read_only_in_the_admin(admin_client_with_data):
    plan = JBPPlan.objects.get()
    page = admin_client_with_data.get(reverse("admin:planning_jbpplan_change", args=[plan.pk])).content.decode()
    assert 'name="status"' not in page  # the workflow moves plans, not the admin
    assert 'name="title"' in page
    transition = JBPPlanTransition.objects.get()
    assert admin_client_with_data.get(reverse("admin:planning_jbpplantransition_add")).status_code == 403
    delete = reverse("admin:planning_jbpplantransition_delete", args=[transition.pk])
    assert admin_client_with_data.post(delete, {"post": "yes"}).status_code == 403
    assert JBPPlanTransition.objects.filter(pk=transition.pk).exists()
