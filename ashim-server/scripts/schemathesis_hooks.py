"""schemathesis hooks for ashim-server/scripts/schemathesis.sh (loaded through SCHEMATHESIS_HOOKS).

The document says what a file part is (`format: binary`) but JSON Schema cannot say "the
bytes of an image", so by default schemathesis also sends random bytes, which every image
route rightly answers 400 UNKNOWN_FORMAT. Here the generated files are real images: the
smallest well-formed PNG, JPEG, GIF and WebP files (the same 1x1 samples schemathesis itself
ships). Everything else is generated from the document as it stands.
"""

from base64 import b64decode

import schemathesis
from hypothesis import strategies as st

try:  # the wrapper schemathesis uses for binary values
    from schemathesis.transport.serialization import Binary
except ImportError:  # pragma: no cover - older layouts
    Binary = bytes

IMAGES = [
    b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="),
    b64decode(
        "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAFA3PEY8MlBGQUZaVVBfeMiCeG5uePWvuZHI////////////////////////////////////////"
        "////////////wAALCAABAAEBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQR"
        "BRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4"
        "eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEB"
        "AAA/AKVf/9k="
    ),
    b64decode("R0lGODdhAQABAIEAAAAAAAAAAAAAAAAAACwAAAAAAQABAAAIBAABBAQAOw=="),
    b64decode("UklGRhoAAABXRUJQVlA4TA4AAAAvAAAAAAcQEf0PRET/Aw=="),
]

schemathesis.openapi.format("binary", st.sampled_from(IMAGES).map(Binary))

