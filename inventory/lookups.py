"""``__any``: ``IN`` for long lists, sent to PostgreSQL as one array parameter.

``pk__in=[...20,000 ids]`` makes a statement with 20,000 placeholders that the driver
splits and the server parses one by one; ``pk__any=[...]`` sends ``= ANY(%s)`` with a
single array. Other databases get the ordinary ``IN``.
"""

from django.db.models import Field, ForeignObject
from django.db.models.lookups import In


class AnyOf(In):
    lookup_name = "any"
    # Values are prepared once, where the SQL is made (``In`` would prepare them twice).
    prepare_rhs = False

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection, prepared=False) for value in self.rhs]
        return f"{lhs} = ANY(%s)", (*lhs_params, values)


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # relations keep a lookup registry of their own
