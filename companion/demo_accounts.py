"""The demo clinic's accounts, apart from the seeder so the first window can name them before
the database (and SQLAlchemy) has loaded."""

from __future__ import annotations

DEMO_SECRET = "2468"  # every demo account

# (role, user name, display name); role values as in companion.storage.models.Role
DEMO_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    ("admin", "admin", "Alex Morgan"),
    ("physician", "dr.okafor", "Dr. Maya Okafor"),
    ("guide", "sam.rivera", "Sam Rivera"),
    ("staff", "lee.chen", "Lee Chen"),
)


def demo_sign_in_hint() -> str:
    """The line the demo sign-in screen shows, e.g. "dr.okafor (physician)"."""
    names = ", ".join(
        username if role == "admin" else f"{username} ({role})"
        for role, username, _ in sorted(DEMO_ACCOUNTS, key=lambda a: a[0] == "admin")
    )
    return f"Demo accounts: {names} — PIN {DEMO_SECRET}."
