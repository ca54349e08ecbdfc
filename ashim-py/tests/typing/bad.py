"""Each line below must be a mypy error (tests/test_stubs.py counts them)."""

import ashim

ashim.resize(b"", width="wide")  # E: str is not int
ashim.resize(b"", fit="squash")  # E: not a Literal member
ashim.qr_generate()  # E: text is required
ashim.crop(b"", left=0, top=0, width=1)  # E: height is required
ashim.resize(b"", widht=10)  # E: unknown keyword
ashim.watermark_image(b"")  # E: watermark is required
ashim.strip_metadata_inspect(b"").json["no_such_key"]  # E: not a report key
