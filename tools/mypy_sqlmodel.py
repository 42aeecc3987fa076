"""A mypy plugin: a SQLModel table's fields, read on the class, are SQLAlchemy columns.

SQLModel declares ``Proceedings.stage`` as a ``Stage``, which is what it is on an instance; on the class it is
an ``InstrumentedAttribute`` (``Proceedings.stage == stage`` is SQL, ``Proceedings.id.in_(ids)`` exists).
This plugin gives class-level reads of a field the type ``InstrumentedAttribute[T]`` that SQLAlchemy's own
``Mapped[T]`` declarations give, so queries are checked as written, without ``sqlmodel.col()`` around each
column. Reads on instances keep the field's type.

It applies to the annotated fields of every subclass of ``SQLModel`` (reading a field on the class of a model
without ``table=True`` fails at run time anyway); methods, properties, ClassVars and names starting with an
underscore are left alone. Listed in ``[tool.mypy] plugins`` in pyproject.toml.
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.nodes import TypeInfo, Var
from mypy.plugin import AttributeContext, Plugin
from mypy.types import Instance, Type

SQLMODEL = "sqlmodel.main.SQLModel"
COLUMN = "sqlalchemy.orm.attributes.InstrumentedAttribute"


class SQLModelColumns(Plugin):
    def get_class_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        class_name, _, attribute = fullname.rpartition(".")
        if attribute.startswith("_") or not self._is_field(class_name, attribute):
            return None
        column = self._type_info(COLUMN)
        if column is None:
            return None

        def column_type(ctx: AttributeContext) -> Type:
            return Instance(column, [ctx.default_attr_type])

        return column_type

    def _is_field(self, class_name: str, attribute: str) -> bool:
        """Whether ``attribute`` is a field a SQLModel subclass declares (itself or in a base of its own)."""
        model = self._type_info(class_name)
        if model is None or model.fullname == SQLMODEL or not model.has_base(SQLMODEL):
            return False
        member = model.get(attribute)
        if member is None or not isinstance(member.node, Var) or member.node.is_classvar:
            return False
        return member.node.info.fullname != SQLMODEL

    def _type_info(self, fullname: str) -> TypeInfo | None:
        symbol = self.lookup_fully_qualified(fullname)
        return symbol.node if symbol is not None and isinstance(symbol.node, TypeInfo) else None


def plugin(version: str) -> type[Plugin]:
    return SQLModelColumns
