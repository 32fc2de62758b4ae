"""The request form's standard fields, as the ticket service checks them and the page shows them.

The service's request models (tickets/requests.py) and the form page (the stage's manifest →
request.html and helpcenter.js) read the limits and the address pattern from here, so the
browser refuses exactly what the service would, and neither layer imports the other.
"""

from __future__ import annotations

# The form's address under each locale's home (site/tool_pages.py writes it as request.md).
PAGE_PATH = "request/"

# The longest value accepted for each standard field, in characters.
MAX_LENGTH = {"name": 200, "email": 254, "subject": 300, "message": 20_000}

# An address: something, @, a domain with a dot. Spelled with explicit whitespace so that it
# means the same in Python, in JSON Schema (the OpenAPI document) and in the browser.
EMAIL_PATTERN = r"^[^@ \t\r\n<>]+@[^@ \t\r\n<>]+\.[^@ \t\r\n<>]+$"
