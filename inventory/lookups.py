"""``__any``: ``IN`` for long lists, sent to PostgreSQL as one array parameter.

``pk__in=[...20,000 ids]`` makes a statement with 20,000 placeholders that the driver
splits and the server parses one by one; ``pk__any=[...]`` sends ``= ANY(%s)`` with a
single array. Other databases get the ordinary ``IN``.

Plain integers (ids, the common case) go to the driver as they are: preparing each of
20,000 ids through the field costs more than sending them (≈ 50 ms of a data-hall batch).
"""

from django.db.models import Field, ForeignObject
from django.db.models.lookups import In

_INTEGER_TYPES = frozenset(
    {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField"}
    | {"PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField"}
)


class AnyOf(In):
    lookup_name = "any"
    # Values are prepared once, where the SQL is made (``In`` would prepare them twice).
    prepare_rhs = False

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        target = field.target_field if field.is_relation else field
        values = list(self.rhs)
        if not (target.get_internal_type() in _INTEGER_TYPES and all(type(value) is int for value in values)):
            values = [field.get_db_prep_value(value, connection, prepared=False) for value in values]
        return f"{lhs} = ANY(%s)", (*lhs_params, values)


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # relations keep a lookup registry of their own
