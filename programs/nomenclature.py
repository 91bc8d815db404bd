"""The regional planning nomenclature codes a programme carries (Permendagri 90/2019 and the
Kepmendagri that update it): what each code looks like and how the three nest. The one place
for the rule: the model's validators and Program.clean() call it, so the forms, the admin and
the Excel import all give its messages (docs/budget.md).

- programme (program): urusan.bidang.programme, e.g. `1.02.02`;
- activity (kegiatan): the programme's code, then the level (one digit) and the activity's
  number, e.g. `1.02.02.2.01`;
- sub-activity (sub-kegiatan): the activity's code and its number, four digits since the
  2021 update (`1.02.02.2.01.0001`), two in Permendagri 90/2019 itself (`1.02.02.2.01.01`).
"""

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

PROGRAM_CODE = re.compile(r"\d\.\d{2}\.\d{2}")
ACTIVITY_CODE = re.compile(r"\d\.\d{2}\.\d{2}\.\d\.\d{2}")
SUB_ACTIVITY_CODE = re.compile(r"\d\.\d{2}\.\d{2}\.\d\.\d{2}\.(?:\d{4}|\d{2})")

CODE_MAX_LENGTH = 24


def _validator(pattern, message) -> RegexValidator:
    return RegexValidator(rf"\A{pattern.pattern}\Z", message, code="invalid_code")


validate_program_code = _validator(
    PROGRAM_CODE,
    _(
        "“%(value)s” is not a programme code as in Permendagri 90/2019: write "
        "urusan.bidang.programme with dots, e.g. 1.02.02."
    ),
)
validate_activity_code = _validator(
    ACTIVITY_CODE,
    _(
        "“%(value)s” is not an activity (kegiatan) code as in Permendagri 90/2019: write the "
        "programme code, then the level and the activity's number, e.g. 1.02.02.2.01."
    ),
)
validate_sub_activity_code = _validator(
    SUB_ACTIVITY_CODE,
    _(
        "“%(value)s” is not a sub-activity (sub-kegiatan) code as in Permendagri 90/2019: "
        "write the activity code and the sub-activity's number, e.g. 1.02.02.2.01.0001."
    ),
)


def normalize_code(value) -> str:
    """A code as typed, without spaces (`1. 02. 02 ` is `1.02.02`)."""
    return re.sub(r"\s+", "", str(value or ""))


def nesting_errors(program_code: str, activity_code: str, sub_activity_code: str) -> dict:
    """The messages, by field, for codes that do not nest: an activity belongs to the
    programme whose code it begins with, a sub-activity to its activity. Codes of a wrong
    format are left to the validators."""
    errors = {}
    if activity_code and ACTIVITY_CODE.fullmatch(activity_code):
        if not program_code:
            errors["program_code"] = _("Give the programme code of this activity.")
        elif PROGRAM_CODE.fullmatch(program_code) and not activity_code.startswith(
            program_code + "."
        ):
            errors["activity_code"] = _(
                "The activity code %(activity)s does not belong to the programme %(program)s: "
                "it must begin with the programme code."
            ) % {"activity": activity_code, "program": program_code}
    if sub_activity_code and SUB_ACTIVITY_CODE.fullmatch(sub_activity_code):
        if not activity_code:
            errors["activity_code"] = _("Give the activity (kegiatan) code of this sub-activity.")
        elif ACTIVITY_CODE.fullmatch(activity_code) and not sub_activity_code.startswith(
            activity_code + "."
        ):
            errors["sub_activity_code"] = _(
                "The sub-activity code %(sub_activity)s does not belong to the activity "
                "%(activity)s: it must begin with the activity code."
            ) % {"sub_activity": sub_activity_code, "activity": activity_code}
    return errors
