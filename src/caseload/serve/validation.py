"""A request that does not fit the API's schema, said field by field in the reader's
language (pydantic's own messages are English only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from caseload.i18n import N_, translator
from caseload.serve.problems import Item

_WHY = {
    "missing": N_("this is required"),
    "int_parsing": N_("give a whole number"),
    "int_type": N_("give a whole number"),
    "float_parsing": N_("give a number"),
    "date_from_datetime_parsing": N_("give a day as YYYY-MM-DD"),
    "date_parsing": N_("give a day as YYYY-MM-DD"),
    "date_type": N_("give a day as YYYY-MM-DD"),
    "bool_parsing": N_("give true or false"),
    "literal_error": N_("this is not one of the allowed values"),
    "enum": N_("this is not one of the allowed values"),
    "string_too_long": N_("this is too long"),
    "string_too_short": N_("this is too short"),
    "too_long": N_("this has too many items"),
    "greater_than_equal": N_("this is too small"),
    "greater_than": N_("this is too small"),
    "less_than_equal": N_("this is too large"),
    "less_than": N_("this is too large"),
    "string_type": N_("give text"),
    "dict_type": N_("give a JSON object"),
    "json_invalid": N_("this is not valid JSON"),
    "model_attributes_type": N_("give a JSON object"),
    "extra_forbidden": N_("this field is not known"),
    "string_pattern_mismatch": N_("this does not have the expected form"),
}
_OTHER = N_("this value is not valid here")


def items(errors: Sequence[Any], lang: str) -> list[Item]:
    tr = translator(lang)
    found = []
    for error in errors:
        location = [part if isinstance(part, int) else str(part) for part in error.get("loc", ())]
        why = tr.gettext(_WHY.get(str(error.get("type", "")), _OTHER))
        # the input itself is never echoed: it may be a CPR number or a health note
        found.append(Item(location=location, message=why))
    return found
