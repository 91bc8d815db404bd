"""Validating many unsaved records at once by their models' own rules, for imports.

`Model.full_clean()` checks each CheckConstraint with a database query (and a savepoint)
per record, and each unique constraint with another: about 15 queries per village-data
record, 20 seconds for an import of 2,000. Here the same constraints, read from the model's
Meta, are checked in Python where their condition is a plain comparison (the case for every
constraint in this project) and with Django's own query otherwise; unique constraints take
one query for the whole batch. The messages are the constraints' own.
"""

import operator

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import CheckConstraint, F, Q, UniqueConstraint, Value
from django.db.models.expressions import CombinedExpression

# SQL's third truth value: a comparison with NULL. A CHECK constraint lets it pass.
UNKNOWN = object()
COMPARISONS = {
    "exact": operator.eq,
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
}
ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul}


class Unsupported(Exception):
    """A condition this module does not evaluate; Django's query decides instead."""


def validate_many(instances) -> dict[int, ValidationError]:
    """Each invalid instance's position and its errors, as full_clean() would raise them."""
    errors: dict[int, ValidationError] = {}
    for index, instance in enumerate(instances):
        try:
            instance.full_clean(
                exclude=_loaded_relations(instance),
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            errors[index] = error
            continue
        try:
            check_constraints(instance)
        except ValidationError as error:
            errors[index] = error
    valid = [(i, instance) for i, instance in enumerate(instances) if i not in errors]
    for index, error in _unique_violations(valid).items():
        errors[index] = error
    return errors


def _loaded_relations(instance) -> set[str]:
    """Foreign keys set to an object read from the database: full_clean() would query each
    to see that it exists, and the database's foreign key checks that anyway."""
    loaded = set()
    for field in instance._meta.concrete_fields:
        if field.is_relation and field.is_cached(instance):
            related = field.get_cached_value(instance)
            if related is not None and not related._state.adding:
                loaded.add(field.name)
    return loaded


def check_constraints(instance) -> None:
    """Raise ValidationError for the first CheckConstraint of the model `instance` breaks."""
    model = type(instance)
    for constraint in model._meta.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        try:
            passes = _evaluate(constraint.condition, instance) is not False
        except Unsupported:
            constraint.validate(model, instance)
            continue
        if not passes:
            raise ValidationError(
                {"__all__": [constraint.get_violation_error_message()]},
                code=constraint.violation_error_code,
            )


def _evaluate(node, instance):
    if isinstance(node, Q):
        results = [_evaluate(child, instance) for child in node.children]
        if node.connector == Q.AND:
            result = (
                False
                if any(r is False for r in results)
                else UNKNOWN
                if any(r is UNKNOWN for r in results)
                else True
            )
        elif node.connector == Q.OR:
            result = (
                True
                if any(r is True for r in results)
                else UNKNOWN
                if any(r is UNKNOWN for r in results)
                else False
            )
        else:
            raise Unsupported(node.connector)
        if node.negated and result is not UNKNOWN:
            result = not result
        return result
    if isinstance(node, tuple) and len(node) == 2:
        return _lookup(*node, instance)
    raise Unsupported(node)


def _lookup(path: str, value, instance):
    name, _separator, lookup = path.partition("__")
    lookup = lookup or "exact"
    left = _field_value(name, instance)
    right = _operand(value, instance)
    if lookup == "isnull":
        return (left is None) == bool(right)
    if lookup == "exact" and value is None:
        return left is None
    if lookup == "in":
        options = list(right)
        if left is None:
            return UNKNOWN
        if left in [o for o in options if o is not None]:
            return True
        return UNKNOWN if None in options else False
    if lookup not in COMPARISONS:
        raise Unsupported(lookup)
    if left is None or right is None:
        return UNKNOWN
    try:
        return COMPARISONS[lookup](left, right)
    except TypeError:
        raise Unsupported(path) from None


def _field_value(name: str, instance):
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        raise Unsupported(name) from None
    if not getattr(field, "concrete", False) or field.many_to_many:
        raise Unsupported(name)
    return getattr(instance, field.attname)


def _operand(value, instance):
    if isinstance(value, F):
        return _field_value(value.name, instance)
    if isinstance(value, Value):
        return value.value
    if isinstance(value, CombinedExpression):
        if value.connector not in ARITHMETIC:
            raise Unsupported(value.connector)
        left, right = _operand(value.lhs, instance), _operand(value.rhs, instance)
        if left is None or right is None:
            return None
        return ARITHMETIC[value.connector](left, right)
    if hasattr(value, "resolve_expression"):
        raise Unsupported(value)
    return value


def _unique_violations(indexed) -> dict[int, ValidationError]:
    """Unique fields and unconditional unique constraints of a batch: against the database in
    one query per rule, and within the batch."""
    if not indexed:
        return {}
    model = type(indexed[0][1])
    rules = [
        ((field.name,), None)
        for field in model._meta.local_concrete_fields
        if field.unique and not field.primary_key
    ] + [
        (tuple(c.fields), c)
        for c in model._meta.constraints
        if isinstance(c, UniqueConstraint) and c.fields and not c.condition and not c.expressions
    ]
    errors = {}
    for fields, constraint in rules:
        attnames = [model._meta.get_field(name).attname for name in fields]
        keys = {}
        for index, instance in indexed:
            key = tuple(getattr(instance, attname) for attname in attnames)
            if None not in key:
                keys.setdefault(key, []).append((index, instance))
        if not keys:
            continue
        lookup = Q()
        for position, attname in enumerate(attnames):
            lookup &= Q(**{f"{attname}__in": {key[position] for key in keys}})
        taken = {}
        for row in model._default_manager.filter(lookup).values_list(*attnames, "pk"):
            taken[tuple(row[:-1])] = row[-1]
        for key, holders in keys.items():
            for position, (index, instance) in enumerate(holders):
                owner = taken.get(key)
                if position > 0 or (owner is not None and owner != instance.pk):
                    message = (
                        constraint.get_violation_error_message()
                        if constraint
                        else instance.unique_error_message(model, fields)
                    )
                    # Where full_clean() would put it: on the field for a unique field.
                    key = fields[0] if constraint is None and len(fields) == 1 else "__all__"
                    errors[index] = ValidationError({key: [message]})
    return errors
