"""Load Amazon's marketplaces (ids, countries, currencies, time zones)."""

from django.db import migrations


def load(apps, schema_editor):
    from planning.marketplaces import MARKETPLACES

    Marketplace = apps.get_model("planning", "Marketplace")
    for mid, code, country, domain, region, currency, tz in MARKETPLACES:
        Marketplace.objects.update_or_create(
            amazon_marketplace_id=mid,
            defaults={
                "country_code": code,
                "country": country,
                "domain": domain,
                "region": region,
                "currency": currency,
                "timezone": tz,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("planning", "Marketplace").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
