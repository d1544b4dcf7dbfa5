"""``python -m mitrainer.record``: print the session record's JSON Schema (docs/session-record.schema.json)."""

import json
import sys

from mitrainer.record.model import json_schema

sys.stdout.write(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n")
