"""Embedded social-media posts, as pages print them: "text — Name (@handle) March 6, 2016".

The annotate stage reads the signature as a post's source (annotate/attribution.py) and the
link stage keeps a bare signature line from becoming a claim (link/claims.py). The patterns
live here, apart from both, so linking alone does not import the parser.
"""

from __future__ import annotations

POST_HANDLE = r"\(@[A-Za-z0-9_]{1,30}(?:@[\w.-]+)?\)"  # (@user), (@user@host)
POST_DATE = r"[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}"  # March 6, 2016
