"""Page of notebook 99 (the interactive scenario explorer, JupyterLab): everything its cells use."""

from __future__ import annotations

from ...safety import markdown_text  # a scenario's sources are shown as text
from ..explorer import CONTROLS, ScenarioExplorer
from ..explorer_widgets import ExplorerUI

__all__ = ["CONTROLS", "ExplorerUI", "ScenarioExplorer", "markdown_text"]
