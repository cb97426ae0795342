"""Field validators shared by the models (so the admin, the API and every service refuse the same input)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# C0 and C1 control characters (tab, line break, escape, NUL…): never part of a name.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@deconstructible
class NoControlCharacters:
    message = "Remove the control characters (tabs, line breaks and the like) from this field."
    code = "control_characters"

    def __call__(self, value: str) -> None:
        if _CONTROL.search(value or ""):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharacters)

    def __hash__(self) -> int:
        return hash(self.code)


no_control_characters = NoControlCharacters()
