"""`elig` commands build pydantic validators without looking for pydantic plugins, and so without
importing importlib.metadata (engine/pydantic_plugins.py); pydantic's loader stays reachable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str, env_value: str | None = None) -> dict:
    env = {"PATH": "/usr/bin:/bin"} | ({"PYDANTIC_DISABLE_PLUGINS": env_value} if env_value is not None else {})
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


CHECK = """
import json, sys
from elig import pydantic_plugins
pydantic_plugins.disable()
from elig.models import Profile
Profile.model_validate({"org_type": "企业"})
loader = sys.modules["pydantic.plugin._loader"]
found = {"metadata": "importlib.metadata" in sys.modules, "plugins": list(loader.get_plugins())}
found["group"] = loader.PYDANTIC_ENTRY_POINT_GROUP  # any other name: from pydantic's own loader
found["real"] = type(sys.modules["pydantic.plugin._loader"]).__name__ == "module"
print(json.dumps(found))
"""


def test_a_command_builds_validators_without_importing_importlib_metadata():
    found = _run(CHECK)
    assert found == {"metadata": False, "plugins": [], "group": "pydantic", "real": True}


def test_plugins_named_by_the_user_are_left_to_pydantic():
    found = _run(CHECK.replace('found["group"]', '_ = 1  #'), env_value="logfire")
    assert found["metadata"] is True  # pydantic's loader looked, as it was asked to
