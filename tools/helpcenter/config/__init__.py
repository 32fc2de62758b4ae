"""The one config: `mkdocs.yml`, parsed once into frozen, typed objects.

- `load_project(root) -> Project`: locales (from `plugins.i18n.languages`), site URL,
  folders, Markdown extensions and `project.helpcenter`, the typed `extra.helpcenter`.
- `HelpCenterConfig` (config/helpcenter.py) and `TicketsConfig` (config/tickets.py) declare
  every option once, with its default and a one-line docstring.

A wrong value is a `UserError` naming mkdocs.yml, the line and the key path.
"""

from helpcenter.config.helpcenter import HelpCenterConfig
from helpcenter.config.project import CONFIG_NAME, Locale, MarkdownExtension, Project, load_project
from helpcenter.config.tickets import TicketsConfig

__all__ = ["CONFIG_NAME", "HelpCenterConfig", "Locale", "MarkdownExtension", "Project",
           "TicketsConfig", "load_project"]
