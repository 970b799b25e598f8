"""Claims a user marked as reviewed (`claimgraph review`), kept in the `claim_reviews` table.

claimgraph never decides truth; a fact-checker does, and records it here with their own words
for the verdict (kept as `rating_original`) beside the common scale (`rating`), so reviews can be
counted, exported as ClaimReview JSON-LD and matched against other fact-checks. One review per
claim: reviewing again replaces it. Written with SQLAlchemy Core so it runs on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from claimgraph.export.claimreview import normalise_rating
from claimgraph.store import Store
from claimgraph.store import schema as s


class ClaimNotFound(LookupError):
    """No claim has that id or id prefix."""


class AmbiguousClaim(LookupError):
    """More than one claim starts with that prefix; `candidates` lists some of them."""

    def __init__(self, ref: str, candidates: list[str], more: bool = False) -> None:
        count = f"more than {len(candidates)}" if more else str(len(candidates))
        super().__init__(f"{ref!r} matches {count} claims: {', '.join(candidates[:5])}, ...")
        self.candidates = candidates


def _like_prefix(ref: str) -> str:
    escaped = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def resolve_claim(store: Store, ref: str) -> str:
    """A claim by its id or a unique prefix of it (with or without the `claim_` part)."""
    ref = ref.strip()
    if not ref:
        raise ClaimNotFound("empty claim id")
    candidates = [ref] if ref.startswith("claim_") else [ref, f"claim_{ref}"]
    ids = s.claims.c.id
    with store.engine.connect() as conn:
        for cand in candidates:
            exact = conn.execute(select(ids).where(ids == cand)).first()
            if exact:
                return str(exact[0])
        for cand in candidates:
            rows = conn.execute(
                select(ids).where(ids.like(_like_prefix(cand), escape="\\")).order_by(ids).limit(11)
            ).all()
            if len(rows) == 1:
                return str(rows[0][0])
            if rows:
                raise AmbiguousClaim(ref, [str(r[0]) for r in rows[:10]], more=len(rows) > 10)
    raise ClaimNotFound(f"no claim with id or id prefix {ref!r}")


def mark_reviewed(
    store: Store,
    ref: str,
    *,
    rating: str,
    reviewer: str,
    url: str | None = None,
    note: str | None = None,
    reviewed_at: str | None = None,
) -> dict[str, Any]:
    """Record (or replace) the review of one claim; returns the stored row."""
    if not rating or not rating.strip():
        raise ValueError("a review needs a rating (the verdict in your words)")
    if not reviewer or not reviewer.strip():
        raise ValueError("a review needs a reviewer (a person or organisation name)")
    claim_id = resolve_claim(store, ref)
    row = {
        "claim_id": claim_id,
        "rating": normalise_rating(rating),
        "rating_original": rating.strip(),
        "reviewer": reviewer.strip(),
        "review_url": (url or "").strip() or None,
        "note": (note or "").strip() or None,
        "reviewed_at": reviewed_at or datetime.now(UTC).isoformat(timespec="seconds"),
    }
    table = s.claim_reviews
    with store.engine.begin() as conn:
        conn.execute(table.delete().where(table.c.claim_id == claim_id))
        conn.execute(table.insert().values(**row))
    return row


def remove_review(store: Store, ref: str) -> str | None:
    """Withdraw a claim's review; returns the claim id, or None when it had none."""
    claim_id = resolve_claim(store, ref)
    table = s.claim_reviews
    with store.engine.begin() as conn:
        deleted = conn.execute(table.delete().where(table.c.claim_id == claim_id)).rowcount
    return claim_id if deleted else None


def reviews(store: Store) -> list[dict[str, Any]]:
    """Every stored review, oldest first."""
    table = s.claim_reviews
    with store.engine.connect() as conn:
        result = conn.execute(select(table).order_by(table.c.reviewed_at, table.c.claim_id))
        return [dict(r._mapping) for r in result]
