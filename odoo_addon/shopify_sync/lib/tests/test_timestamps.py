import unittest
from datetime import datetime

from .. import timestamps


class TestParseIso(unittest.TestCase):
    def test_offsets_are_converted_to_naive_utc(self):
        self.assertEqual(timestamps.parse_iso("2026-11-27T10:00:00Z"), datetime(2026, 11, 27, 10))
        self.assertEqual(timestamps.parse_iso("2026-11-27T11:30:00+01:30"),
                         datetime(2026, 11, 27, 10))

    def test_with_and_without_offset_compare(self):
        self.assertLess(timestamps.parse_iso("2026-11-27T09:00:00"),
                        timestamps.parse_iso("2026-11-27T10:00:00Z"))

    def test_empty_or_malformed_is_none(self):
        for value in (None, "", "yesterday", 42):
            with self.subTest(value=value):
                self.assertIsNone(timestamps.parse_iso(value))


if __name__ == "__main__":
    unittest.main()
