"""Validates signoff's JSON documents against docs/schema/*.json with Python's jsonschema.

Usage: validate_json.py SCHEMA_DIR NAME=FILE...   (NAME is a schema file's stem; a FILE ending
in .jsonl is validated line by line). Prints every violation; exit 1 if any.
Used by tests/json_schema.rs.
"""
import json
import pathlib
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

schema_dir = pathlib.Path(sys.argv[1])
schemas = {p.stem: json.loads(p.read_text()) for p in schema_dir.glob("*.json")}
registry = Registry().with_resources(
    (s["$id"], Resource.from_contents(s)) for s in schemas.values()
)
bad = 0
for arg in sys.argv[2:]:
    name, path = arg.split("=", 1)
    validator = Draft202012Validator(schemas[name], registry=registry)
    text = pathlib.Path(path).read_text()
    docs = [json.loads(l) for l in text.splitlines() if l.strip()] if path.endswith(".jsonl") else [json.loads(text)]
    for i, doc in enumerate(docs):
        for e in validator.iter_errors(doc):
            bad += 1
            where = "/".join(str(p) for p in e.absolute_path)
            print(f"{path}[{i}] against {name}: at /{where}: {e.message[:300]}")
print(json.dumps({"violations": bad}))
sys.exit(1 if bad else 0)
