"""No pydantic plugins in elig's commands, and none looked for.

pydantic looks for plugins when it builds its first validator, through `pydantic.plugin._loader`.
With PYDANTIC_DISABLE_PLUGINS=__all__ it loads none, but that module still imports
importlib.metadata (and the email package with it) at its top: a sixth of `elig check`'s
start-up, for nothing. So, where plugins are disabled in full and the loader is not imported
yet, a stand-in answers `get_plugins()` with no plugins, as the loader itself would; any other
name is read from the real loader, imported then.
"""

from __future__ import annotations

import importlib
import os
import sys
import types

LOADER = "pydantic.plugin._loader"
DISABLED = ("__all__", "1", "true")  # the values with which pydantic's loader returns no plugins


class _NoPlugins(types.ModuleType):
    @staticmethod
    def get_plugins() -> tuple[()]:
        return ()

    def __getattr__(self, name: str):
        if name.startswith("__"):  # the import system asks for __path__ and the like: not the loader's
            raise AttributeError(name)
        if sys.modules.get(LOADER) is self:
            del sys.modules[LOADER]
        return getattr(importlib.import_module(LOADER), name)


def disable() -> None:
    """No pydantic plugin in this process (unless PYDANTIC_DISABLE_PLUGINS already names some)."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if os.environ["PYDANTIC_DISABLE_PLUGINS"] in DISABLED and LOADER not in sys.modules:
        sys.modules[LOADER] = _NoPlugins(LOADER)
