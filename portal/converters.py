"""The path converter of database ids.

Django's ``int`` converter takes any run of digits; a number past the
largest the database's ids hold then fails in the query, as a server error,
where a mistyped address should be not found. ``id`` matches only numbers
an id can be.
"""

# The largest value of the 64-bit signed integers the ids are stored in.
LARGEST_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > LARGEST_ID:
            # A converter's ValueError makes the pattern not match: a 404.
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(value)
