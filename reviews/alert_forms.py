"""Forms of the alert pages. Validation of rule parameters is the rule's JSON schema (alert_rules.base);
these forms only turn typed fields into the parameters dict and back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from planning.models import Marketplace
from reviews.alert_models import AlertPreference
from reviews.alert_models import Benchmark
from reviews.alert_rules import RuleSpec
from reviews.alert_rules import Severity
from reviews.alert_rules.base import parameter_label
from reviews.alert_rules.feeds import REPORT_CHOICES
from reviews.alert_rules.feeds import REPORT_LABELS

_SMALL = {"class": "form-control form-control-sm"}
_SELECT = {"class": "form-select form-select-sm"}
_CHECK = {"class": "form-check-input"}


class ResolveForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={**_SMALL, "rows": 2, "placeholder": "What was done?"}),
        help_text="Required: say what was done, for the history.",
    )


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={**_SMALL, "rows": 2}))


class AssignForm(forms.Form):
    assigned_to = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, widget=forms.Select(attrs=_SELECT)
    )

    def __init__(self, *args: Any, users: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.users = {u.pk: u for u in users}
        field = self.fields["assigned_to"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Nobody"), *((u.pk, u.get_username()) for u in users)]

    def assignee(self) -> Any | None:
        pk = self.cleaned_data.get("assigned_to")
        return self.users.get(pk) if pk else None


def _is_number(schema: dict[str, Any]) -> bool:
    kinds = schema.get("type")
    return isinstance(kinds, list) and "number" in kinds


class RuleForm(forms.Form):
    """Severity, on/off and one typed field per parameter of the rule (REPORT_STALE's list of watched
    reports becomes a checkbox, a cadence and a grace per report)."""

    severity = forms.ChoiceField(choices=Severity.choices, widget=forms.Select(attrs=_SELECT))
    enabled = forms.BooleanField(
        required=False,
        help_text="Off: the rule is not evaluated for the brand.",
        widget=forms.CheckboxInput(attrs={**_CHECK, "role": "switch"}),
    )

    def __init__(self, *args: Any, spec: RuleSpec, parameters: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.parameter_names: list[str] = []
        properties = spec.schema.get("properties", {})
        for name, schema in properties.items():
            help_text = spec.parameter_help.get(name, "")
            label = parameter_label(name)
            current = parameters.get(name)
            if name == "reports":
                self._report_fields(current or [], help_text)
                continue
            field: forms.Field
            if schema.get("type") == "integer":
                field = forms.IntegerField(
                    label=label,
                    min_value=schema.get("minimum"),
                    max_value=schema.get("maximum"),
                    help_text=help_text,
                    widget=forms.NumberInput(attrs=_SMALL),
                )
            elif schema.get("type") == "boolean":
                field = forms.BooleanField(
                    label=label, required=False, help_text=help_text, widget=forms.CheckboxInput(attrs=_CHECK)
                )
            elif "enum" in schema:
                field = forms.ChoiceField(
                    label=label,
                    choices=[(v, v.capitalize() if v.isupper() else v) for v in schema["enum"]],
                    help_text=help_text,
                    widget=forms.Select(attrs=_SELECT),
                )
            elif "anyOf" in schema or _is_number(schema):
                field = forms.DecimalField(
                    label=label,
                    required="anyOf" not in schema,
                    help_text=help_text,
                    widget=forms.NumberInput(attrs={**_SMALL, "step": "any"}),
                )
            else:  # pragma: no cover - every schema above is one of these kinds
                continue
            field.initial = current
            self.fields[f"p_{name}"] = field
            self.parameter_names.append(name)

    def _report_fields(self, reports: list[dict[str, Any]], help_text: str) -> None:
        watched = {r["fact_table"]: r for r in reports}
        self.report_rows: list[tuple[str, str]] = []
        for table in REPORT_CHOICES:
            current = watched.get(table, {})
            self.fields[f"r_{table}_watched"] = forms.BooleanField(
                label=REPORT_LABELS[table],
                required=False,
                initial=table in watched,
                widget=forms.CheckboxInput(attrs=_CHECK),
            )
            self.fields[f"r_{table}_cadence"] = forms.ChoiceField(
                label="Cadence",
                choices=[("WEEK", "Weekly (Sunday-Saturday)"), ("DAY", "Daily")],
                initial=current.get("cadence", "DAY" if table == "ads_daily" else "WEEK"),
                widget=forms.Select(attrs=_SELECT),
            )
            self.fields[f"r_{table}_grace_hours"] = forms.IntegerField(
                label="Grace (hours)",
                min_value=0,
                max_value=720,
                initial=current.get("grace_hours", 36 if table == "ads_daily" else 72),
                widget=forms.NumberInput(attrs=_SMALL),
            )
            self.report_rows.append((table, REPORT_LABELS[table]))
        self.reports_help = help_text
        self.parameter_names.append("reports")

    def parameter_fields(self) -> list[forms.BoundField]:
        return [self[f"p_{name}"] for name in self.parameter_names if name != "reports"]

    def report_field_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (label, self[f"r_{table}_watched"], self[f"r_{table}_cadence"], self[f"r_{table}_grace_hours"])
            for table, label in getattr(self, "report_rows", [])
        ]

    def parameters(self) -> dict[str, Any]:
        """The cleaned fields as the rule's parameters (numbers as decimal strings, as JSON keeps them)."""
        out: dict[str, Any] = {}
        for name in self.parameter_names:
            if name == "reports":
                out["reports"] = [
                    {
                        "fact_table": table,
                        "cadence": self.cleaned_data[f"r_{table}_cadence"],
                        "grace_hours": self.cleaned_data[f"r_{table}_grace_hours"],
                    }
                    for table, _ in self.report_rows
                    if self.cleaned_data.get(f"r_{table}_watched")
                ]
                continue
            value = self.cleaned_data.get(f"p_{name}")
            out[name] = str(value.normalize()) if isinstance(value, Decimal) else value
        return out


class BenchmarkForm(forms.ModelForm):
    class Meta:
        model = Benchmark
        fields = ["metric", "category", "marketplace", "value", "source", "as_of"]
        widgets = {
            "metric": forms.Select(attrs=_SELECT),
            "category": forms.TextInput(attrs={**_SMALL, "list": "benchmark-categories"}),
            "marketplace": forms.Select(attrs=_SELECT),
            "value": forms.NumberInput(attrs={**_SMALL, "step": "any"}),
            "source": forms.TextInput(attrs=_SMALL),
            "as_of": forms.DateInput(attrs={**_SMALL, "type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["marketplace"].queryset = Marketplace.objects.order_by("country_code")  # type: ignore[attr-defined]
        self.fields["marketplace"].empty_label = "Any marketplace"  # type: ignore[attr-defined]


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = AlertPreference
        fields = ["frequency", "min_severity"]
        labels = {"frequency": "Digest", "min_severity": "Include alerts from"}
        widgets = {
            "frequency": forms.RadioSelect(attrs=_CHECK),
            "min_severity": forms.Select(attrs={"class": "form-select"}),
        }
