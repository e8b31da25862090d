"""Two pieces of Rasa 3.6 work, done once per process instead of on every turn (issue 12).

Profiled in-process (``docs/performance.md``: Rasa's ``Agent`` with the project's model, SQL
tracker store and actions, 60 turns under cProfile), a turn spent:

- **about 40% checking the JSON schema of Rasa's own event format**: ``RemoteAction``'s
  ``_validate_action_result`` calls ``jsonschema.validate``, which checks the (large, fixed)
  schema itself before checking the action's result, on every action call (about 50 ms each on
  this machine). Here a validator is built once from the same schema and checks every result
  exactly as before: a malformed result still raises the same ``ValidationError``.
- **about 15% finding an event's class by its name**: loading a conversation rebuilds every
  event with ``Event.resolve_by_type``, which walks all subclasses of ``Event`` for each event.
  Here the answer for each name is remembered (the classes are fixed once Rasa is imported); an
  unknown name is still looked up, and still raises, as before.

Neither changes what Rasa does, only how often it redoes the same work. Installed in the Rasa
process by ``bot/launch.py``, next to :mod:`bot.action_calls`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event

_MARK = "_mend_fast"


@lru_cache(maxsize=1)
def _result_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate does every time
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """``RemoteAction._validate_action_result`` with the schema checked once per process."""
    from jsonschema import ValidationError

    try:
        _result_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid."
        )
        raise


def _cached_resolver(original: Any) -> Any:
    known: dict[str, type[Event]] = {}

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> Any:
        found = known.get(type_name)
        if found is not None:
            return found
        resolved = original(type_name, default)
        if resolved is not None and resolved is not default:
            known[type_name] = resolved
        return resolved

    return resolve_by_type


def install() -> None:
    """Patch the two methods in this process (idempotent: both are patched together, so the
    first one's mark tells)."""
    if getattr(RemoteAction._validate_action_result, _MARK, False):
        return
    _validate_action_result.__dict__[_MARK] = True
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_cached_resolver(Event.resolve_by_type))
