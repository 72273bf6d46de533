"""The YAML dialect item maps are written in.

Item maps are YAML (see :mod:`.item_map`), but two of YAML 1.1's habits would
corrupt them silently: ``Yes:`` and ``No:`` are read as booleans, which would turn the
yes/no choice texts of a code list into True/False, and a key written twice keeps only
its last value. :class:`ItemMapLoader` is a safe loader that keeps yes/no as text (only
true/false are booleans) and refuses a repeated key with a YAML error naming it.
"""

from __future__ import annotations

import re

import yaml

__all__ = ["ItemMapLoader"]

_BOOL_TAG = "tag:yaml.org,2002:bool"


class ItemMapLoader(yaml.SafeLoader):
    """YAML 1.1 reads ``Yes:`` and ``No:`` as booleans, which would turn the yes/no
    choice texts into True/False; this loader keeps them as text (only true/false are
    booleans) and refuses a key written twice, which YAML would silently overwrite."""


ItemMapLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
ItemMapLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _unique_key_mapping(loader: ItemMapLoader, node: yaml.MappingNode) -> dict:
    keys = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in keys:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} is written twice", key_node.start_mark
            )
        keys.add(key)
    return loader.construct_mapping(node, deep=True)


ItemMapLoader.add_constructor("tag:yaml.org,2002:map", _unique_key_mapping)
